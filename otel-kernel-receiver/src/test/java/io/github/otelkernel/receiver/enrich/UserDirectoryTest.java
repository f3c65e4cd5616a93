package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDirectoryTest {
  @TempDir Path dir;

  @Test
  void namesResolveAndARenameIsPickedUp() throws Exception {
    Path passwd = dir.resolve("passwd");
    Path group = dir.resolve("group");
    Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\n#comment\nbroken line\nbad:x:notanumber:0::/:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/bash\n");
    Files.writeString(group, "root:x:0:\nstaff:x:50:alice\n");
    UserDirectory users = new UserDirectory(passwd, group);
    assertEquals(Optional.of("alice"), users.userName(1000));
    assertEquals(Optional.of("staff"), users.groupName(50));
    assertEquals(Optional.empty(), users.userName(4242));

    Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nalicia:x:1000:1000::/home/alice:/bin/bash\n");
    Files.setLastModifiedTime(passwd, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    users.refreshIfChanged();
    assertEquals(Optional.of("alicia"), users.userName(1000));
  }

  @Test
  void missingFilesGiveNoNamesAndNoError() {
    UserDirectory users = new UserDirectory(dir.resolve("none"), dir.resolve("none2"));
    assertEquals(Optional.empty(), users.userName(0));
  }
}
