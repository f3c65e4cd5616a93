package io.github.otelkernel.receiver.export.events;

import static io.github.otelkernel.receiver.export.events.SysEventMappers.typed;
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
        typed(
            Socket.class,
            (s, c) -> {
              Endpoints e = flow(c, s, false);
              String from =
                  e.localKnown()
                      ? " from " + e.local()
                      : ""; // a refused connect has no local end left
              return c.actor()
                  + " connected to "
                  + e.remote()
                  + " over "
                  + e.transport()
                  + from
                  + c.outcomeSuffix();
            }));
    m.put(
        EventType.NET_SEND,
        typed(
            Socket.class,
            (s, c) -> {
              Endpoints e = flow(c, s, false);
              return c.actor()
                  + " sent a "
                  + e.transport()
                  + " datagram to "
                  + e.remote()
                  + c.outcomeSuffix();
            }));
    m.put(
        EventType.NET_ACCEPT,
        typed(
            Socket.class,
            (s, c) -> {
              Endpoints e = flow(c, s, true);
              return s.call().failed()
                  ? c.actor() + " failed to accept a connection on " + e.local() + c.outcomeSuffix()
                  : c.actor()
                      + " accepted a "
                      + e.transport()
                      + " connection from "
                      + e.remote()
                      + " on "
                      + e.local();
            }));
    m.put(
        EventType.NET_LISTEN,
        typed(
            Listen.class,
            (s, c) -> {
              String local =
                  local(
                      c, s.family(), s.protocol(), s.socketType(), s.localAddress(), s.localPort());
              c.attributes().put(KsecAttributes.NETWORK_LISTEN_BACKLOG, s.backlog());
              return c.actor() + " listens on " + local + c.outcomeSuffix();
            }));
    m.put(
        EventType.NET_BIND,
        typed(
            Socket.class,
            (s, c) ->
                c.actor()
                    + " bound a socket to "
                    + local(
                        c,
                        s.family(),
                        s.protocol(),
                        s.socketType(),
                        s.localAddress(),
                        s.localPort())
                    + c.outcomeSuffix()));
    m.put(
        EventType.NET_UNIX_CONNECT,
        typed(
            UnixConnect.class,
            (s, c) -> {
              c.attributes().put(NETWORK_TRANSPORT, "unix");
              String path = unixPath(s.path().bytes());
              c.attributes().put(KsecAttributes.NETWORK_UNIX_PATH, path);
              return c.actor() + " connected to unix socket " + path + c.outcomeSuffix();
            }));
  }

  private record Endpoints(String local, boolean localKnown, String remote, String transport) {}

  private static Endpoints flow(SysEventContext c, Socket s, boolean inbound) {
    String transport = transport(c, s.family(), s.protocol(), s.socketType());
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
    if (srcAddr != null && !(srcPort == 0 && isAny(srcAddr))) {
      a.put(SOURCE_ADDRESS, srcAddr);
    }
    if (srcPort != 0) {
      a.put(SOURCE_PORT, srcPort);
    }
    if (dstAddr != null) {
      a.put(DESTINATION_ADDRESS, dstAddr);
    }
    a.put(DESTINATION_PORT, dstPort);
    return new Endpoints(
        hostPort(localAddr, localPort),
        localAddr != null && localPort != 0,
        hostPort(remoteAddr, remotePort),
        transport);
  }

  private static String local(
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
    return hostPort(addr, port);
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

  private static String hostPort(String addr, long port) {
    String a = addr == null ? "?" : addr.indexOf(':') >= 0 ? "[" + addr + "]" : addr;
    return a + ":" + port;
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
