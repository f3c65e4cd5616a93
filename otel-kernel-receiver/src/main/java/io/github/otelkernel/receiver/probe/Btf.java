package io.github.otelkernel.receiver.probe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The type information (BTF) clang writes into a BPF object: the layout of its structs and of its
 * maps' keys and values as they were compiled. Read from the ELF ".BTF" section (or from raw BTF
 * such as /sys/kernel/btf/vmlinux) without libbpf, bpftool or a kernel, so that a unit test can
 * hold the agent's hand-kept offsets to the object it ships (WireLayoutTest). Every kind of type
 * record is stepped over by its size; ints, pointers, arrays, structs, unions, enums, typedefs and
 * modifiers are laid out.
 */
public final class Btf {
  private static final int INT = 1,
      PTR = 2,
      ARRAY = 3,
      STRUCT = 4,
      UNION = 5,
      ENUM = 6,
      FWD = 7,
      TYPEDEF = 8,
      VOLATILE = 9,
      CONST = 10,
      RESTRICT = 11,
      FUNC = 12,
      FUNC_PROTO = 13,
      VAR = 14,
      DATASEC = 15,
      FLOAT = 16,
      DECL_TAG = 17,
      TYPE_TAG = 18,
      ENUM64 = 19;
  private static final short MAGIC = (short) 0xeb9f;

  /**
   * One type record: its kind, name, size or referenced type, vlen, and the kind's trailing words.
   */
  private record Type(
      int kind, String name, int sizeOrType, int vlen, boolean kindFlag, int[] extra) {}

  /**
   * A member in bytes. For an array, elementSize and count are its element's size and number;
   * otherwise elementSize is size and count is 1. A bit field has no byte layout: sizes and count
   * 0, offset the byte it starts in.
   */
  public record Field(String name, int offset, int size, int elementSize, int count) {}

  public record Struct(String name, int size, List<Field> fields) {
    public Optional<Field> field(String name) {
      return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }
  }

  /**
   * A map of the ".maps" section as libbpf reads its definition (__uint(type, ...), __type(key,
   * ...)); keyType and valueType name the declared types ("__u32", "path_key"), empty when sizes
   * were given.
   */
  public record MapDef(
      String name,
      int type,
      int maxEntries,
      int keySize,
      int valueSize,
      String keyType,
      String valueType) {}

  private final List<Type> types; // index: type id; 0 is void
  private final ByteBuffer strings;

  private Btf(List<Type> types, ByteBuffer strings) {
    this.types = types;
    this.strings = strings;
  }

  /** The BTF of a BPF object file (a relocatable ELF64, as clang -target bpf -g writes it). */
  public static Btf ofElf(byte[] elf) {
    ByteBuffer b = ByteBuffer.wrap(elf);
    if (elf.length < 64 || b.getInt(0) != 0x7f454c46 || elf[4] != 2) {
      throw new IllegalArgumentException("not an ELF64 object");
    }
    b.order(elf[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    int shoff = Math.toIntExact(b.getLong(0x28));
    int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
    int shnum = Short.toUnsignedInt(b.getShort(0x3c));
    int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
    if (shnum == 0) { // more than 0xff00 sections: the count is kept in section 0
      shnum = Math.toIntExact(b.getLong(shoff + 32));
    }
    if (shstrndx == 0xffff) {
      shstrndx = b.getInt(shoff + 40);
    }
    int names = Math.toIntExact(b.getLong(shoff + shstrndx * shentsize + 24));
    for (int i = 0; i < shnum; i++) {
      int sh = shoff + i * shentsize;
      if (cString(b, names + b.getInt(sh)).equals(".BTF")) {
        int off = Math.toIntExact(b.getLong(sh + 24));
        int size = Math.toIntExact(b.getLong(sh + 32));
        return of(b.slice(off, size));
      }
    }
    throw new IllegalArgumentException("the object has no .BTF section (compiled without -g?)");
  }

  /** Raw BTF: a header, type records, strings. */
  public static Btf of(ByteBuffer raw) {
    ByteBuffer b = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
    if (b.getShort(0) != MAGIC) {
      b.order(ByteOrder.BIG_ENDIAN);
      if (b.getShort(0) != MAGIC) {
        throw new IllegalArgumentException(
            "not BTF (magic " + Integer.toHexString(b.getShort(0) & 0xffff) + ")");
      }
    }
    int hdrLen = b.getInt(4);
    int typeStart = hdrLen + b.getInt(8);
    int typeEnd = typeStart + b.getInt(12);
    ByteBuffer strings = b.slice(hdrLen + b.getInt(16), b.getInt(20));
    List<Type> types = new ArrayList<>();
    types.add(null);
    for (int p = typeStart; p < typeEnd; ) {
      int info = b.getInt(p + 4);
      int kind = (info >>> 24) & 0x1f;
      int vlen = info & 0xffff;
      int words =
          switch (kind) {
            case PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG -> 0;
            case INT, VAR, DECL_TAG -> 1;
            case ARRAY -> 3;
            case ENUM, FUNC_PROTO -> 2 * vlen;
            case STRUCT, UNION, DATASEC, ENUM64 -> 3 * vlen;
            default ->
                throw new IllegalArgumentException(
                    "BTF type " + types.size() + " is of unknown kind " + kind);
          };
      int[] extra = new int[words];
      for (int i = 0; i < words; i++) {
        extra[i] = b.getInt(p + 12 + 4 * i);
      }
      types.add(
          new Type(kind, cString(strings, b.getInt(p)), b.getInt(p + 8), vlen, info < 0, extra));
      p += 12 + 4 * words;
    }
    return new Btf(types, strings);
  }

  /** The struct or union of this name, laid out; empty when the object's BTF has none. */
  public Optional<Struct> struct(String name) {
    for (Type t : types) {
      if (t != null && (t.kind == STRUCT || t.kind == UNION) && t.name.equals(name)) {
        return Optional.of(layout(t));
      }
    }
    return Optional.empty();
  }

  private Struct layout(Type t) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < t.vlen; i++) {
      String name = cString(strings, t.extra[3 * i]);
      int type = t.extra[3 * i + 1];
      int offset = t.extra[3 * i + 2];
      int bits = t.kindFlag ? offset & 0xffffff : offset;
      if ((t.kindFlag && offset >>> 24 != 0) || bits % 8 != 0) {
        fields.add(new Field(name, bits / 8, 0, 0, 0)); // a bit field
        continue;
      }
      int size = sizeOf(type);
      Type r = types.get(skip(type, true));
      boolean array = r != null && r.kind == ARRAY;
      fields.add(
          new Field(
              name, bits / 8, size, array ? sizeOf(r.extra[0]) : size, array ? r.extra[2] : 1));
    }
    return new Struct(t.name, t.sizeOrType, List.copyOf(fields));
  }

  /** The map of this name in the ".maps" section; empty when there is none. */
  public Optional<MapDef> map(String name) {
    for (Type sec : types) {
      if (sec == null || sec.kind != DATASEC || !sec.name.equals(".maps")) {
        continue;
      }
      for (int i = 0; i < sec.vlen; i++) {
        Type var = types.get(sec.extra[3 * i]);
        if (var.name.equals(name)) {
          return Optional.of(mapDef(name, types.get(skip(var.sizeOrType, true))));
        }
      }
    }
    return Optional.empty();
  }

  /** __uint(name, n) is "int (*name)[n]", __type(name, T) is "T *name". */
  private MapDef mapDef(String name, Type def) {
    int type = 0, maxEntries = 0, keySize = 0, valueSize = 0;
    String keyType = "", valueType = "";
    for (int i = 0; i < def.vlen; i++) {
      Type ptr = types.get(def.extra[3 * i + 1]);
      if (ptr == null || ptr.kind != PTR) {
        continue;
      }
      int target = ptr.sizeOrType;
      Type pointee = types.get(skip(target, true));
      int n = pointee != null && pointee.kind == ARRAY ? pointee.extra[2] : 0;
      switch (cString(strings, def.extra[3 * i])) {
        case "type" -> type = n;
        case "max_entries" -> maxEntries = n;
        case "key_size" -> keySize = n;
        case "value_size" -> valueSize = n;
        case "key" -> {
          keySize = sizeOf(target);
          keyType = nameOf(target);
        }
        case "value" -> {
          valueSize = sizeOf(target);
          valueType = nameOf(target);
        }
        default -> {} // map_flags, pinning, ...: no layout
      }
    }
    return new MapDef(name, type, maxEntries, keySize, valueSize, keyType, valueType);
  }

  private int sizeOf(int id) {
    Type t = types.get(id);
    if (t == null) {
      return 0; // void
    }
    return switch (t.kind) {
      case INT, STRUCT, UNION, ENUM, ENUM64, FLOAT -> t.sizeOrType;
      case PTR -> 8; // BPF is a 64-bit target
      case ARRAY -> Math.multiplyExact(t.extra[2], sizeOf(t.extra[0]));
      case TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, VAR -> sizeOf(t.sizeOrType);
      default ->
          throw new IllegalArgumentException(
              "BTF type " + id + " (" + t.name + ", kind " + t.kind + ") has no size");
    };
  }

  /** The type under modifiers (const, volatile...), and under typedefs too when asked. */
  private int skip(int id, boolean typedefs) {
    for (Type t = types.get(id); t != null; t = types.get(id)) {
      boolean modifier =
          t.kind == VOLATILE || t.kind == CONST || t.kind == RESTRICT || t.kind == TYPE_TAG;
      if (!modifier && !(typedefs && t.kind == TYPEDEF)) {
        break;
      }
      id = t.sizeOrType;
    }
    return id;
  }

  private String nameOf(int id) {
    Type t = types.get(skip(id, false));
    return t == null ? "void" : t.name;
  }

  private static String cString(ByteBuffer b, int off) {
    int end = off;
    while (b.get(end) != 0) {
      end++;
    }
    byte[] s = new byte[end - off];
    b.get(off, s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
