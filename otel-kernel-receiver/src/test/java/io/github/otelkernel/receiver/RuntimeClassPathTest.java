package io.github.otelkernel.receiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.otelkernel.receiver.cli.Main;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The jar that runs as root on every host carries no Elasticsearch client: setup has a jar of its
 * own. What the agent's jar is shaded from is its runtime class path, which the build writes to
 * {@code target/runtime-classpath.txt} (this test's own class path has elastic-integration, for
 * AgentToElasticsearchIT, so it proves nothing).
 */
class RuntimeClassPathTest {
  static final List<String> FORBIDDEN_PACKAGES =
      List.of("co/elastic/", "org/elasticsearch/", "io/github/otelkernel/elastic/");

  @Test
  void theElasticsearchClientIsNotLoadable() throws Exception {
    try (URLClassLoader runtime =
        new URLClassLoader(urls(runtimeClassPath()), ClassLoader.getPlatformClassLoader())) {
      // the loader is the agent's: its own classes and dependencies load from it
      assertEquals(runtime, Class.forName(Main.class.getName(), false, runtime).getClassLoader());
      assertNotNull(Class.forName("io.opentelemetry.sdk.OpenTelemetrySdk", false, runtime));
      for (String name :
          List.of(
              "co.elastic.clients.elasticsearch.ElasticsearchClient",
              "co.elastic.clients.transport.rest5_client.low_level.Rest5Client",
              "io.github.otelkernel.elastic.SetupCommand")) {
        assertThrows(
            ClassNotFoundException.class,
            () -> Class.forName(name, false, runtime),
            name + " is on the agent's runtime class path");
      }
    }
  }

  @Test
  void noEntryOfTheRuntimeClassPathHoldsElasticClasses() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path entry : runtimeClassPath()) {
      for (String name : names(entry)) {
        if (FORBIDDEN_PACKAGES.stream().anyMatch(name::startsWith)) {
          found.add(entry.getFileName() + "!/" + name);
          break;
        }
      }
    }
    assertEquals(List.of(), found);
  }

  /** The module's classes and its runtime dependencies, as the build resolved them. */
  static List<Path> runtimeClassPath() throws IOException {
    String file = System.getProperty("runtime.classpath.file");
    assertNotNull(
        file, "runtime.classpath.file is not set: run this test through Maven (surefire sets it)");
    List<Path> entries = new ArrayList<>();
    entries.add(classesOf(Main.class));
    for (String entry : Files.readString(Path.of(file)).strip().split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(Path.of(entry));
      }
    }
    return entries;
  }

  private static Path classesOf(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static URL[] urls(List<Path> entries) throws IOException {
    URL[] urls = new URL[entries.size()];
    for (int i = 0; i < urls.length; i++) {
      urls[i] = entries.get(i).toUri().toURL();
    }
    return urls;
  }

  /** The entry names of a jar, or the relative paths of the files under a classes directory. */
  private static List<String> names(Path entry) throws IOException {
    if (Files.isDirectory(entry)) {
      try (Stream<Path> files = Files.walk(entry)) {
        return files
            .filter(Files::isRegularFile)
            .map(f -> entry.relativize(f).toString().replace(File.separatorChar, '/'))
            .toList();
      }
    }
    try (JarFile jar = new JarFile(entry.toFile())) {
      return jar.stream().map(java.util.zip.ZipEntry::getName).toList();
    }
  }
}
