package org.eucalypt.ops;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.eucalypt.support.TestServer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the ops tests share: waiting for a condition, and reading one sample off /metrics. */
final class OpsTesting {
  private OpsTesting() {
  }

  static String scrape(TestServer server) {
    HttpResponse<Buffer> res = server.get("/metrics", null);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsString();
  }

  /**
   * The value of one sample, by its name and labels exactly as Prometheus prints them (for
   * example {@code code="201",method="POST",route="/api/libraries"}); 0 when absent.
   */
  static double sample(String text, String name, String labels) {
    String head = labels == null || labels.isEmpty() ? name : name + "{" + labels + "}";
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(head) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
