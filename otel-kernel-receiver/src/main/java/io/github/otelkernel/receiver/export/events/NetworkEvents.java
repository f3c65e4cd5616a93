package io.github.otelkernel.receiver.export.events;

import static io.github.otelkernel.receiver.export.events.SysEventMappers.templated;
import static io.opentelemetry.semconv.NetworkAttributes.NETWORK_LOCAL_ADDRESS;
import static io.opentelemetry.semconv.NetworkAttributes.NETWORK_LOCAL_PORT;
import static io.opentelemetry.semconv.NetworkAttributes.NETWORK_TRANSPORT;
import static io.opentelemetry.semconv.NetworkAttributes.NETWORK_TYPE;
import static io.opentelemetry.semconv.incubating.DestinationIncubatingAttributes.DESTINATION_ADDRESS;
import static io.opentelemetry.semconv.incubating.DestinationIncubatingAttributes.DESTINATION_PORT;
import static io.opentelemetry.semconv.incubating.SourceIncubatingAttributes.SOURCE_ADDRESS;
import static io.opentelemetry.semconv.incubating.SourceIncubatingAttributes.SOURCE_PORT;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.RawBytes;
import io.github.otelkernel.receiver.decode.SysPayload.Listen;
import io.github.otelkernel.receiver.decode.SysPayload.Socket;
import io.github.otelkernel.receiver.decode.SysPayload.UnixConnect;
import io.github.otelkernel.receiver.decode.SysString;
import io.github.otelkernel.semconv.KsecAttributes;
import io.opentelemetry.api.common.AttributeKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Attributes and bodies of the network events (probes/network.bpf.h lists what each record holds).
 * Flows use source.* and destination.* as ECS does: for a connect the local end is the source, for
 * an accept the peer is. Listening and bound sockets have only a local end.
 */
final class NetworkEvents {
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int IPPROTO_TCP = 6;
  private static final int IPPROTO_UDP = 17;
  private static final int SOCK_STREAM = 1;

  private NetworkEvents() {}

  static void register(Map<EventType, SysEventMapper> m) {
    m.put(
        EventType.NET_CONNECT,
        templated(
            Socket.class,
            (s, c) -> {
              Endpoints e = flow(c, s, false);
              BodyTemplate.Builder b = c.actorBody().text(" connected to ");
              e.remote().appendTo(b).text(" over ").ref(NETWORK_TRANSPORT);
              if (e.localKnown()) { // a refused connect has no local end left
                e.local().appendTo(b.text(" from "));
              }
              return b.text(c.outcomeSuffix()).build();
            }));
    m.put(
        EventType.NET_SEND,
        templated(
            Socket.class,
            (s, c) -> {
              Endpoints e = flow(c, s, false);
              BodyTemplate.Builder b =
                  c.actorBody().text(" sent a ").ref(NETWORK_TRANSPORT).text(" datagram to ");
              return e.remote().appendTo(b).text(c.outcomeSuffix()).build();
            }));
    m.put(
        EventType.NET_ACCEPT,
        templated(
            Socket.class,
            (s, c) -> {
              Endpoints e = flow(c, s, true);
              if (s.call().failed()) {
                BodyTemplate.Builder b = c.actorBody().text(" failed to accept a connection on ");
                return e.local().appendTo(b).text(c.outcomeSuffix()).build();
              }
              BodyTemplate.Builder b =
                  c.actorBody()
                      .text(" accepted a ")
                      .ref(NETWORK_TRANSPORT)
                      .text(" connection from ");
              e.remote().appendTo(b).text(" on ");
              return e.local().appendTo(b).build();
            }));
    m.put(
        EventType.NET_LISTEN,
        templated(
            Listen.class,
            (s, c) -> {
              Endpoint local =
                  local(
                      c, s.family(), s.protocol(), s.socketType(), s.localAddress(), s.localPort());
              c.attributes().put(KsecAttributes.NETWORK_LISTEN_BACKLOG, s.backlog());
              return local
                  .appendTo(c.actorBody().text(" listens on "))
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.NET_BIND,
        templated(
            Socket.class,
            (s, c) -> {
              Endpoint local =
                  local(
                      c, s.family(), s.protocol(), s.socketType(), s.localAddress(), s.localPort());
              return local
                  .appendTo(c.actorBody().text(" bound a socket to "))
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.NET_UNIX_CONNECT,
        templated(
            UnixConnect.class,
            (s, c) -> {
              c.attributes().put(NETWORK_TRANSPORT, "unix");
              String path = unixPath(s.path().bytes());
              c.attributes().put(KsecAttributes.NETWORK_UNIX_PATH, path);
              return c.actorBody()
                  .text(" connected to ")
                  .ref(NETWORK_TRANSPORT) // "unix": the word is the attribute's value
                  .text(" socket ")
                  .ref(KsecAttributes.NETWORK_UNIX_PATH)
                  .text(c.outcomeSuffix())
                  .build();
            }));
  }

  /**
   * One end as a body shows it, host:port: each part by its attribute when the record has one
   * (addrKey or portKey null when it does not), else as text. Without an attribute the address is
   * still one InetAddress formatted from 4 or 16 bytes (the unspecified address of a port-less
   * source), no bytes a process chose as text.
   */
  record Endpoint(
      String addr, AttributeKey<String> addrKey, long port, AttributeKey<Long> portKey) {
    BodyTemplate.Builder appendTo(BodyTemplate.Builder b) {
      if (addr == null) {
        b.text("?");
      } else {
        boolean v6 = addr.indexOf(':') >= 0;
        b.text(v6 ? "[" : "");
        if (addrKey != null) {
          b.ref(addrKey);
        } else {
          b.text(addr);
        }
        b.text(v6 ? "]" : "");
      }
      b.text(":");
      return portKey != null ? b.ref(portKey) : b.text(Long.toString(port));
    }
  }

  private record Endpoints(Endpoint local, boolean localKnown, Endpoint remote) {}

  private static Endpoints flow(SysEventContext c, Socket s, boolean inbound) {
    transport(c, s.family(), s.protocol(), s.socketType());
    String localAddr = address(s.localAddress().bytes());
    String remoteAddr = address(s.remoteAddress().bytes());
    long localPort = s.localPort();
    long remotePort = s.remotePort();
    var a = c.attributes();
    a.put(KsecAttributes.NETWORK_DIRECTION, inbound ? "inbound" : "outbound");
    String srcAddr = inbound ? remoteAddr : localAddr;
    long srcPort = inbound ? remotePort : localPort;
    String dstAddr = inbound ? localAddr : remoteAddr;
    long dstPort = inbound ? localPort : remotePort;
    boolean srcAddrPut = srcAddr != null && !(srcPort == 0 && isAny(srcAddr));
    if (srcAddrPut) {
      a.put(SOURCE_ADDRESS, srcAddr);
    }
    if (srcPort != 0) {
      a.put(SOURCE_PORT, srcPort);
    }
    if (dstAddr != null) {
      a.put(DESTINATION_ADDRESS, dstAddr);
    }
    a.put(DESTINATION_PORT, dstPort);
    Endpoint src =
        new Endpoint(
            srcAddr,
            srcAddrPut ? SOURCE_ADDRESS : null,
            srcPort,
            srcPort != 0 ? SOURCE_PORT : null);
    Endpoint dst = new Endpoint(dstAddr, DESTINATION_ADDRESS, dstPort, DESTINATION_PORT);
    return new Endpoints(
        inbound ? dst : src, localAddr != null && localPort != 0, inbound ? src : dst);
  }

  private static Endpoint local(
      SysEventContext c,
      long family,
      long protocol,
      long socketType,
      SysString address,
      long port) {
    transport(c, family, protocol, socketType);
    String addr = address(address.bytes());
    if (addr != null) {
      c.attributes().put(NETWORK_LOCAL_ADDRESS, addr);
    }
    c.attributes().put(NETWORK_LOCAL_PORT, port);
    return new Endpoint(addr, NETWORK_LOCAL_ADDRESS, port, NETWORK_LOCAL_PORT);
  }

  /** network.transport and network.type from the socket's protocol and family. */
  private static String transport(SysEventContext c, long family, long proto, long socketType) {
    String transport =
        proto == IPPROTO_TCP
            ? "tcp"
            : proto == IPPROTO_UDP ? "udp" : socketType == SOCK_STREAM ? "tcp" : "ip_" + proto;
    c.attributes().put(NETWORK_TRANSPORT, transport);
    if (family == AF_INET || family == AF_INET6) {
      c.attributes().put(NETWORK_TYPE, family == AF_INET ? "ipv4" : "ipv6");
    }
    return transport;
  }

  /** 4 or 16 raw bytes as text; an IPv4-mapped IPv6 address as its IPv4 form. Null when absent. */
  static String address(RawBytes raw) {
    byte[] b = raw.bytes();
    if (b.length != 4 && b.length != 16) {
      return null;
    }
    try {
      return InetAddress.getByAddress(b)
          .getHostAddress(); // numeric: no lookup for a literal byte array
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isAny(String addr) {
    return addr.equals("0.0.0.0") || addr.equals("0:0:0:0:0:0:0:0");
  }

  /**
   * sun_path up to its NUL; an abstract name (leading NUL) as "@name", as ss and netstat show it.
   */
  static String unixPath(RawBytes raw) {
    byte[] b = raw.bytes();
    if (b.length == 0) {
      return "";
    }
    if (b[0] == 0) {
      int end = b.length;
      while (end > 1 && b[end - 1] == 0) {
        end--;
      }
      return "@" + new String(b, 1, end - 1, StandardCharsets.UTF_8).replace('\0', '@');
    }
    int end = 0;
    while (end < b.length && b[end] != 0) {
      end++;
    }
    return new RawBytes(java.util.Arrays.copyOf(b, end)).text();
  }
}
