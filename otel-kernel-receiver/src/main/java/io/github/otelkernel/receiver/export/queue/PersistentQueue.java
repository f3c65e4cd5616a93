package io.github.otelkernel.receiver.export.queue;

import io.github.otelkernel.receiver.files.SafeFiles;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The sending queue with storage (the Collector's persistent queue on a file_storage extension):
 * every batch is written to its own file in the spool directory before it is acknowledged, bounded
 * in bytes on disk, and what is left at close stays there for the next start, which queues it again
 * in order. Files are named {@code <seq>-<hi|lo>.spool}; the halves of a split batch {@code
 * <seq>-hi.a.spool} and {@code .b}, which sort where the batch was.
 *
 * <p>A file that cannot be read is moved aside, never deleted and never half-read: {@code .corrupt}
 * (counted as quarantined, the records its header declares as failed), or {@code .old-format} for
 * the batches of agent versions before this format, which are counted the same way and reported
 * once, with what to do about them.
 */
public final class PersistentQueue extends BatchQueue<PersistentQueue.Spooled> {
  private static final Pattern NAME = Pattern.compile("(\\d{19})-(hi|lo)((?:\\.[ab])*)\\.spool");
  private static final String SUFFIX = ".spool";

  /** Spool format 1 (SpoolFile) was written to files of this name. */
  private static final String OLD_SUFFIX = ".batch";

  private final Path directory;
  private final long maxBytes;
  private final AtomicLong nextSeq = new AtomicLong();

  /** A batch held as a spool file. */
  record Spooled(Path file, boolean lowPriority, int size, long bytes) implements QueuedBatch {}

  /**
   * Creates the directory (0700) or checks it, and queues what a previous run left there.
   *
   * @throws IllegalStateException when the directory cannot be used
   */
  public PersistentQueue(
      String id,
      DeliveryStats stats,
      Path directory,
      long maxBytes,
      Set<String> lowPriorityEvents) {
    super(id, stats, lowPriorityEvents);
    this.directory = Objects.requireNonNull(directory, "directory");
    if (maxBytes < 1) {
      throw new IllegalArgumentException("a spool holds at least one byte");
    }
    this.maxBytes = maxBytes;
    try {
      recover();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("spool directory " + directory + ": " + e.getMessage(), e);
    }
  }

  @Override
  boolean store(List<LogRecordData> records, boolean lowPriority) {
    byte[] payload = OtlpLogsEncoding.encode(records);
    if (payload.length > SpoolFile.MAX_PAYLOAD_BYTES && records.size() > 1) {
      // spooled in halves, so that each can be read back within the heap
      int half = records.size() / 2;
      boolean first = store(records.subList(0, half), lowPriority);
      return store(records.subList(half, records.size()), lowPriority) & first;
    }
    long seq = nextSeq.getAndIncrement();
    Path file =
        directory.resolve(String.format("%019d-%s%s", seq, lowPriority ? "lo" : "hi", SUFFIX));
    long bytes;
    try {
      bytes = SpoolFile.write(file, payload, records.size());
    } catch (IOException e) {
      stats.addFailed(records.size());
      warn(
          "exporter "
              + id
              + ": cannot write to the spool "
              + directory
              + ": "
              + e.getMessage()
              + "; "
              + records.size()
              + " records lost");
      return false;
    }
    return enqueue(new Spooled(file, lowPriority, records.size(), bytes));
  }

  @Override
  public Optional<List<LogRecordData>> records(QueuedBatch batch) {
    Spooled b = (Spooled) batch;
    try {
      List<LogRecordData> records = OtlpLogsEncoding.decode(SpoolFile.read(b.file()).payload());
      if (records.size() != b.size()) {
        throw new IOException(records.size() + " records where the header says " + b.size());
      }
      return Optional.of(records);
    } catch (IOException e) {
      // sound when written or found at start, so damaged since: set aside as at start
      if (removeUnreadable(b)) {
        stats.addQuarantined();
        String aside;
        try {
          aside = "; moved aside as " + moveAside(b.file(), ".corrupt").getFileName();
        } catch (IOException m) {
          aside = "; cannot move it aside (" + m.getMessage() + ")";
        }
        LOG.warning(
            "spool: "
                + b.file()
                + " is unreadable ("
                + e.getMessage()
                + "); "
                + b.size()
                + " records lost"
                + aside);
      }
      return Optional.empty();
    }
  }

  @Override
  public void split(QueuedBatch head, List<LogRecordData> records) {
    Spooled b = (Spooled) head;
    int half = records.size() / 2;
    Spooled first = null;
    try {
      first = part(b, records.subList(0, half), "a");
      Spooled second = part(b, records.subList(half, records.size()), "b");
      replaceHead(b, first, second);
    } catch (IOException e) {
      // the batch is too large to send whole and its halves cannot be kept: lost, as at offer
      if (first != null) {
        discard(first);
      }
      if (remove(b)) {
        stats.addFailed(b.size());
        warn(
            "exporter "
                + id
                + ": cannot write to the spool "
                + directory
                + ": "
                + e.getMessage()
                + "; "
                + b.size()
                + " records lost");
      }
    }
  }

  private static Spooled part(Spooled b, List<LogRecordData> records, String suffix)
      throws IOException {
    // "<seq>-hi.spool" -> "<seq>-hi.a.spool": still sorts before the next batch when recovered
    String name = b.file().getFileName().toString();
    Path file =
        b.file()
            .resolveSibling(
                name.substring(0, name.length() - SUFFIX.length()) + "." + suffix + SUFFIX);
    long bytes = SpoolFile.write(file, OtlpLogsEncoding.encode(records), records.size());
    return new Spooled(file, b.lowPriority(), records.size(), bytes);
  }

  @Override
  boolean overBound(long records, long bytes) {
    return bytes > maxBytes;
  }

  @Override
  String describeBound() {
    return "spool " + (maxBytes >> 20) + " MiB";
  }

  @Override
  void discard(Spooled batch) {
    try {
      Files.deleteIfExists(batch.file());
    } catch (IOException e) {
      LOG.warning("spool: cannot delete " + batch.file() + ": " + e.getMessage());
    }
  }

  @Override
  void leftAtClose(long records) {
    stats.addSpooled(records);
    LOG.warning(
        "exporter "
            + id
            + ": "
            + records
            + " undelivered records kept in "
            + directory
            + "; they are sent at the next start");
  }

  private void recover() throws IOException {
    SafeFiles.createPrivateDirectory(directory);
    List<Path> files;
    try (Stream<Path> s = Files.list(directory)) {
      files = s.sorted().toList();
    }
    long recovered = 0;
    int oldFiles = 0;
    long oldRecords = 0;
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.endsWith(".tmp")) {
        Files.deleteIfExists(f); // a write cut short by a crash: never acknowledged
        continue;
      }
      if (!name.endsWith(SUFFIX) && !name.endsWith(OLD_SUFFIX)) {
        continue; // files set aside earlier, and whatever else an operator keeps here
      }
      try {
        SpoolFile.Contents c = SpoolFile.read(f);
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
          throw new SpoolFile.Unreadable("not a spool batch name", c.records(), false);
        }
        long seq;
        try {
          seq = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          throw new SpoolFile.Unreadable("sequence number out of range", c.records(), false);
        }
        nextSeq.accumulateAndGet(seq + 1, Math::max);
        restore(
            new Spooled(
                f,
                m.group(2).equals("lo"),
                c.records(),
                SpoolFile.HEADER_BYTES + c.payload().length));
        recovered += c.records();
      } catch (SpoolFile.Unreadable e) {
        // set aside rather than refuse to start: one bad file must not stop the agent (one that
        // cannot even be moved does: it would be counted again at every start)
        stats.addFailed(e.records);
        stats.addQuarantined();
        if (e.oldFormat) {
          moveAside(f, ".old-format");
          oldFiles++;
          oldRecords += e.records;
        } else {
          Path aside = moveAside(f, ".corrupt");
          LOG.warning(
              "spool: "
                  + f
                  + " is unreadable ("
                  + e.getMessage()
                  + "); moved aside as "
                  + aside.getFileName()
                  + ", "
                  + (e.records > 0
                      ? e.records + " records lost"
                      : "holding an unknown number of records (no readable header)"));
        }
      }
    }
    if (oldFiles > 0) {
      LOG.warning(
          "spool "
              + directory
              + ": "
              + oldFiles
              + " files of an earlier agent version, in a format this one"
              + " does not read (it kept no resource), moved aside as *.batch.old-format; their "
              + oldRecords
              + " records are counted as lost. To deliver them, rename them back to .batch and run that earlier version"
              + " once with the destination reachable; otherwise delete them. Stopping the agent with the destination"
              + " reachable before an upgrade leaves no such files.");
    }
    if (recovered > 0) {
      stats.addRecovered(recovered);
      LOG.info(
          "exporter "
              + id
              + ": "
              + recovered
              + " records spooled by a previous run found in "
              + directory
              + "; delivering");
    }
  }

  /**
   * Renames a file aside, a link as the link: an operator can look at it, nothing reads it again.
   */
  private static Path moveAside(Path f, String suffix) throws IOException {
    Path aside = f.resolveSibling(f.getFileName() + suffix);
    Files.move(f, aside, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    return aside;
  }
}
