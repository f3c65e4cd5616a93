package io.github.otelkernel.receiver.it;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Throw-away certificate authorities and certificates for TLS tests, made with openssl. */
public final class TestPki {
  private TestPki() {}

  /** caA, caB; serverA (by A) and serverB (by B) for 127.0.0.1; client (by A). */
  public static void create(Path dir) throws Exception {
    String script =
        """
        set -e
        cd "$1"
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext
        for ca in caA caB; do
          openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.pem -days 2 -subj "/CN=test $ca"
        done
        sign() { # name ca extfile
          openssl req -newkey rsa:2048 -nodes -keyout $1.key -out $1.csr -subj "/CN=$1"
          openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -out $1.pem -days 2 $3
        }
        sign serverA caA "-extfile san.ext"
        sign serverB caB "-extfile san.ext"
        sign client caA ""
        """;
    Process p =
        new ProcessBuilder("/bin/bash", "-c", script, "pki", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(
          "openssl failed: " + java.nio.file.Files.readString(dir.resolve("openssl.log")));
    }
  }
}
