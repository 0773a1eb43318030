package org.eucalypt.support;

import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The TCP event-bus bridge's framing: a 4-byte big-endian length, then that many bytes of JSON. */
public final class BridgeFrames {
  private BridgeFrames() {
  }

  public static void write(DataOutputStream out, JsonObject frame) throws IOException {
    byte[] json = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    out.flush();
  }

  public static JsonObject read(DataInputStream in) throws IOException {
    byte[] json = new byte[in.readInt()];
    in.readFully(json);
    return new JsonObject(new String(json, StandardCharsets.UTF_8));
  }
}
