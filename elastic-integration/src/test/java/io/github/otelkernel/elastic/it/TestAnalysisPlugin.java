package io.github.otelkernel.elastic.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Installs src/test/resources/es-test-plugin/ into the unpacked server: the analysis components the
 * security index needs and the integ-test-zip lacks (see the plugin's own comment). Compiled here,
 * against the server's own jars, so it always matches the server version under test.
 */
final class TestAnalysisPlugin {
  static final String NAME = "ksec-test-analysis";
  private static final String CLASS = "io.github.otelkernel.estest.KsecTestAnalysisPlugin";

  private static boolean installed;

  private TestAnalysisPlugin() {}

  /**
   * Once per test JVM, replacing what an earlier run left, so a changed fixture always takes
   * effect.
   */
  static synchronized void installInto(Path home, String serverVersion) throws IOException {
    if (installed) {
      return;
    }
    Path pluginDir = home.resolve("plugins").resolve(NAME);
    Path build = Files.createDirectories(Path.of("target", "es-test-plugin").toAbsolutePath());
    Path source = build.resolve("KsecTestAnalysisPlugin.java");
    try (InputStream in =
        TestAnalysisPlugin.class.getResourceAsStream(
            "/es-test-plugin/KsecTestAnalysisPlugin.java")) {
      Files.write(source, in.readAllBytes());
    }
    String classpath;
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      classpath =
          String.join(
              java.io.File.pathSeparator,
              jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).toList());
    }
    Path classes = Files.createTempDirectory(build, "classes");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean ok =
        javac
            .getTask(
                errors,
                null,
                null,
                List.of("--release", "21", "-cp", classpath, "-d", classes.toString()),
                null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile()))
            .call();
    if (!ok) {
      fail("compiling the test analysis plugin failed:\n" + errors);
    }

    Path staging = Files.createDirectories(build.resolve(NAME));
    try (OutputStream out = Files.newOutputStream(staging.resolve(NAME + ".jar"));
        JarOutputStream jar = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        jar.write(Files.readAllBytes(f));
        jar.closeEntry();
      }
    }
    Files.writeString(
        staging.resolve("plugin-descriptor.properties"),
        String.join(
            "\n",
            "description=Test fixture: pattern_capture, unique and uax_url_email for the security index",
            "version=1.0",
            "name=" + NAME,
            "classname=" + CLASS,
            "java.version=21",
            "elasticsearch.version=" + serverVersion,
            ""));
    Files.createDirectories(pluginDir);
    for (String f : List.of("plugin-descriptor.properties", NAME + ".jar")) {
      Files.copy(
          staging.resolve(f),
          pluginDir.resolve(f),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    installed = true;
  }
}
