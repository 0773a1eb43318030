package org.eucalypt.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * Event-bus codecs that hand a reply's JSON to a local receiver as is. Vert.x's own JSON codecs
 * deep-copy every local message, in case the sender changes it afterwards; a reply is built for
 * the one request it answers and never touched again, and copying a page of 50 assets showed in
 * the profile of {@code GET /api/assets}. They only ever carry replies to {@link Bus#REQUEST}s,
 * which are local only, so in a cluster they never cross to another member; should one ever,
 * every member registers them and they travel as JSON text, like Vert.x's.
 */
public final class SharedJson {
  static final DeliveryOptions OBJECT = new DeliveryOptions().setCodecName(Codec.OBJECT_NAME);
  static final DeliveryOptions ARRAY = new DeliveryOptions().setCodecName(Codec.ARRAY_NAME);

  private SharedJson() {
  }

  /** Registers the codecs on this Vert.x instance; once is enough, more is harmless. */
  public static void register(Vertx vertx) {
    register(vertx, new Codec<>(Codec.OBJECT_NAME, JsonObject::new));
    register(vertx, new Codec<>(Codec.ARRAY_NAME, JsonArray::new));
  }

  private static void register(Vertx vertx, Codec<?> codec) {
    try {
      vertx.eventBus().registerCodec(codec);
    } catch (IllegalStateException alreadyRegistered) {
      // another server in the same Vert.x instance (tests) registered it first
    }
  }

  /** The delivery options that send {@code reply} without a copy, or null for other types. */
  static DeliveryOptions optionsFor(Object reply) {
    return reply instanceof JsonObject ? OBJECT : reply instanceof JsonArray ? ARRAY : null;
  }

  private static final class Codec<T> implements MessageCodec<T, T> {
    static final String OBJECT_NAME = "eucalypt.json-object";
    static final String ARRAY_NAME = "eucalypt.json-array";
    private final String name;
    private final Function<Buffer, T> decode;

    Codec(String name, Function<Buffer, T> decode) {
      this.name = name;
      this.decode = decode;
    }

    @Override
    public void encodeToWire(Buffer buffer, T json) {
      Buffer encoded = json instanceof JsonObject o ? o.toBuffer() : ((JsonArray) json).toBuffer();
      buffer.appendInt(encoded.length()).appendBuffer(encoded);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      return decode.apply(buffer.getBuffer(pos + 4, pos + 4 + length));
    }

    @Override
    public T transform(T json) {
      return json;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
