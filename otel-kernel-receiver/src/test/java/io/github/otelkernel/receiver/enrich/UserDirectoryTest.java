package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDirectoryTest {
  @TempDir Path dir;

  static final String ROOT = "root:x:0:0:root:/root:/bin/bash\n";

  @Test
  void namesResolveAndARenameIsPickedUp() throws Exception {
    Path passwd = dir.resolve("passwd");
    Path group = dir.resolve("group");
    Files.writeString(passwd, ROOT + "alice:x:1000:1000::/home/alice:/bin/bash\n");
    Files.writeString(group, "root:x:0:\nstaff:x:50:alice\n");
    UserDirectory users = new UserDirectory(passwd, group);
    assertEquals(Optional.of("alice"), users.userName(1000));
    assertEquals(Optional.of("staff"), users.groupName(50));
    assertEquals(Optional.empty(), users.userName(4242));

    Files.writeString(passwd, ROOT + "alicia:x:1000:1000::/home/alice:/bin/bash\n");
    Files.setLastModifiedTime(passwd, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    assertEquals(Optional.of("alice"), users.userName(1000)); // lookups never read the file
    users.refreshIfChanged();
    assertEquals(Optional.of("alicia"), users.userName(1000));
  }

  @Test
  void aSameSizeRenameInTheSameMillisecondIsPickedUp() throws Exception {
    // usermod -l writes a new file and renames it over the old one: same size, new inode
    Path passwd = dir.resolve("passwd");
    Instant t = Instant.parse("2026-01-01T00:00:00.000100Z");
    Files.writeString(passwd, ROOT + "alice:x:1000:1000::/home/alice:/bin/bash\n");
    Files.setLastModifiedTime(passwd, FileTime.from(t));
    UserDirectory users = new UserDirectory(passwd, dir.resolve("group"));
    Path next = dir.resolve("passwd+");
    Files.writeString(next, ROOT + "alicx:x:1000:1000::/home/alice:/bin/bash\n");
    Files.setLastModifiedTime(next, FileTime.from(t.plusNanos(800)));
    Files.move(next, passwd, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    users.refreshIfChanged();
    assertEquals(Optional.of("alicx"), users.userName(1000));
  }

  @Test
  void malformedLinesAreSkipped() throws Exception {
    Path passwd = dir.resolve("passwd");
    Files.write(
        passwd,
        (ROOT
                + "#daemon:x:1:1::/:/usr/sbin/nologin\n"
                + "\n"
                + "broken line\n"
                + "bad:x:notanumber:0::/:/bin/sh\n"
                + "neg:x:-5:0::/:/bin/sh\n"
                + "big:x:4294967296:0::/:/bin/sh\n"
                + ":x:7:7::/:/bin/sh\n"
                + "+::::::\n"
                + "jos\u00e9:x:1001:1001:Jos\u00e9 Latin-1:/home/j:/bin/sh\n" // not UTF-8: one
                // line, not the file
                + "bob:x:1002:1002\n" // short, but has the three fields that matter
                + "root2:x:0:0::/:/bin/sh\n" // a duplicate id: the first entry wins, as getpwuid(3)
                + "nobody:x:4294967294:4294967294::/:/usr/sbin/nologin")
            .getBytes(StandardCharsets.ISO_8859_1));
    UserDirectory users = new UserDirectory(passwd, dir.resolve("group"));
    assertEquals(Optional.of("root"), users.userName(0));
    assertEquals(Optional.of("bob"), users.userName(1002));
    assertEquals(Optional.of("jos\uFFFD"), users.userName(1001));
    assertEquals(Optional.of("nobody"), users.userName(4294967294L)); // last line without a newline
    assertEquals(Optional.empty(), users.userName(1));
    assertEquals(Optional.empty(), users.userName(-5));
    assertEquals(Optional.empty(), users.userName(7));
    assertEquals(Optional.empty(), users.userName(4294967296L));
  }

  @Test
  void missingFilesGiveNoNamesAndNoErrorUntilTheyAppear() throws Exception {
    Path passwd = dir.resolve("passwd");
    UserDirectory users = new UserDirectory(passwd, dir.resolve("group"));
    assertEquals(Optional.empty(), users.userName(0));
    assertEquals(Optional.empty(), users.groupName(0));

    Files.writeString(passwd, ROOT);
    users.refreshIfChanged();
    assertEquals(Optional.of("root"), users.userName(0));

    Files.delete(passwd);
    users.refreshIfChanged();
    assertEquals(Optional.empty(), users.userName(0));
  }

  @Test
  void theDefaultsAreTheSystemFiles() {
    assertEquals(Optional.of("root"), new UserDirectory().userName(0));
  }
}
