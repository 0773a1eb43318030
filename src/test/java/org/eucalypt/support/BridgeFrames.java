package org.eucalypt.support;

import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

  /**
   * Registers for each address, then pings: the registrations are in place once the pong comes
   * back (the bridge answers frames in order), so nothing published after this returns is missed.
   */
  public static void register(DataOutputStream out, DataInputStream in, String... addresses) throws IOException {
    for (String address : addresses) {
      write(out, new JsonObject().put("type", "register").put("address", address));
    }
    write(out, new JsonObject().put("type", "ping"));
    assertEquals("pong", read(in).getString("type"));
  }

  public static JsonObject read(DataInputStream in) throws IOException {
    byte[] json = new byte[in.readInt()];
    in.readFully(json);
    return new JsonObject(new String(json, StandardCharsets.UTF_8));
  }
}
