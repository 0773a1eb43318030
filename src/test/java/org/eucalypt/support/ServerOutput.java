package org.eucalypt.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The output of a server started with {@code java -jar target/eucalypt.jar}. */
public final class ServerOutput {
  private static final Pattern LISTENING = Pattern.compile("eucalypt listening on port (\\d+)");

  private ServerOutput() {
  }

  /**
   * Reads the server's output until it says where it listens, and answers that port; then keeps
   * draining the output in the background, so that a full pipe never blocks the server.
   */
  public static int awaitListening(Process server) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      seen.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        Thread drainOutput = new Thread(() -> {
          try {
            out.transferTo(java.io.Writer.nullWriter());
          } catch (IOException ignored) {
            // the process ended
          }
        });
        drainOutput.setDaemon(true);
        drainOutput.start();
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("the server exited before listening:\n" + seen);
  }
}
