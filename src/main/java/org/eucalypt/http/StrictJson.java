package org.eucalypt.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Refuses a JSON body that is not valid UTF-8 text, before it is parsed. The JSON parser replaces
 * bad bytes (and decodes an overlong {@code C0 AF} as "/"), and PostgreSQL stores a lone
 * surrogate escape ({@code "\ud800"}) as "?": either way a client's garbage became a stored name.
 * RFC 8259 requires UTF-8, and a string must be Unicode text, so both are "not JSON": 422
 * {@code json_invalid}, with nothing changed.
 */
final class StrictJson {
  private StrictJson() {
  }

  static void check(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0 || type == null || !type.toLowerCase().contains("json")) {
      ctx.next();
      return;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(body.getBytes()))
        .toString();
    } catch (CharacterCodingException e) {
      refuse(ctx, "Invalid UTF-8 in the JSON body");
      return;
    }
    if (hasLoneSurrogate(text)) {
      refuse(ctx, "A string in the JSON body holds a lone UTF-16 surrogate");
      return;
    }
    ctx.next();
  }

  private static void refuse(RoutingContext ctx, String msg) {
    Problems.unprocessable(ctx, Problems.invalid(new JsonArray().add("body").add(0), msg, "json_invalid", null));
  }

  /**
   * Whether a {@code \\uXXXX} escape names a surrogate that is not half of a proper pair. Text that
   * decoded as UTF-8 holds no raw surrogates except as pairs, so escapes are all there is to check.
   */
  static boolean hasLoneSurrogate(String text) {
    int pendingHigh = -1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\' || i + 1 >= text.length()) {
        if (pendingHigh >= 0) {
          return true;
        }
        continue;
      }
      char next = text.charAt(i + 1);
      if (next != 'u' || i + 6 > text.length()) {
        if (pendingHigh >= 0) {
          return true;
        }
        i++;
        continue;
      }
      int unit;
      try {
        unit = Integer.parseInt(text.substring(i + 2, i + 6), 16);
      } catch (NumberFormatException e) {
        // Not an escape the parser will take: it refuses the document itself.
        return false;
      }
      i += 5;
      if (Character.isHighSurrogate((char) unit)) {
        if (pendingHigh >= 0) {
          return true;
        }
        pendingHigh = unit;
      } else if (Character.isLowSurrogate((char) unit)) {
        if (pendingHigh < 0) {
          return true;
        }
        pendingHigh = -1;
      } else if (pendingHigh >= 0) {
        return true;
      }
    }
    return pendingHigh >= 0;
  }
}
