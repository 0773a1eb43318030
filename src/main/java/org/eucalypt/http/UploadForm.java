package org.eucalypt.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * The {@code multipart/form-data} body of an upload, read from the request as it arrives and
 * parsed with Jetty's {@link MultiPart.Parser}, not with the Netty decoder Vert.x offers. That one
 * keeps the CR of the CRLF before a boundary whenever the network cuts the body right after it
 * (netty/netty#17383, open; 4.2.18, the newest sources we could read, still does it): the photo
 * is stored one byte too long, or a form field gains a trailing CR, depending on how TCP split
 * the body. RaceFuzzTest caught a stored file one
 * byte too long about once in 4,000 uploads. Jetty's parser holds such a CR back until it knows.
 *
 * <p>The first part named {@code asset_data} with a file name is handed over, as it arrives, as
 * a {@link FilePart}; other file parts are read and dropped. Form fields are kept, each up to
 * {@link #MAX_FIELD_BYTES}. {@link #fields()} completes when the closing boundary has been read
 * and the body has ended, and fails (with a {@link MalformedRequests.MalformedBody}, or the
 * request's own failure when the client leaves) otherwise; the file part, if one began, fails too.
 */
final class UploadForm implements MultiPart.Parser.Listener {
  static final String FILE_FIELD = "asset_data";
  /** As Vert.x's own form decoding: a field is a short string, never a file. */
  static final int MAX_FIELD_BYTES = 8192;
  private static final int MAX_PARTS = 64;
  private static final int MAX_PART_HEADER_BYTES = 8192;

  private final HttpServerRequest request;
  private final MultiPart.Parser parser;
  private final Handler<FilePart> onFile;
  private final MultiMap fields = MultiMap.caseInsensitiveMultiMap();
  private final Promise<MultiMap> done = Promise.promise();
  private final HttpFields.Mutable partHeaders = HttpFields.build();
  /** The part being read: the upload's file, a field, or something dropped. */
  private FilePart file;
  private ByteArrayOutputStream field;
  private String fieldName;
  private boolean fileSeen;

  private UploadForm(HttpServerRequest request, String boundary, Handler<FilePart> onFile) {
    this.request = request;
    this.onFile = onFile;
    this.parser = new MultiPart.Parser(boundary, this);
    parser.setMaxParts(MAX_PARTS);
    parser.setPartHeadersMaxLength(MAX_PART_HEADER_BYTES);
  }

  /**
   * Starts reading {@code request}'s body (paused or not) as a form delimited by {@code boundary};
   * {@code onFile} is called once, when the file part begins, if it does.
   */
  static UploadForm read(HttpServerRequest request, String boundary, Handler<FilePart> onFile) {
    UploadForm form = new UploadForm(request, boundary, onFile);
    request.handler(form::feed);
    request.endHandler(v -> form.parse(ByteBuffer.allocate(0), true));
    request.exceptionHandler(form::fail);
    request.resume();
    return form;
  }

  Future<MultiMap> fields() {
    return done.future();
  }

  /** Whether a file part named {@value #FILE_FIELD} began. */
  boolean fileSeen() {
    return fileSeen;
  }

  private void feed(Buffer chunk) {
    // The parser hands out slices of what it is given, and the request's buffer is reused.
    parse(ByteBuffer.wrap(chunk.getBytes()), false);
  }

  private void parse(ByteBuffer bytes, boolean last) {
    if (!done.future().isComplete()) {
      parser.parse(Content.Chunk.from(bytes, last));
    }
  }

  private void fail(Throwable cause) {
    if (done.tryFail(cause) && file != null) {
      file.fail(cause);
    }
  }

  private void refuse(String why) {
    fail(new MalformedRequests.MalformedBody(why));
  }

  /**
   * Whether the form has already failed (or completed). The parser goes on through the rest of
   * the chunk it is parsing after a listener refused the form, and a file part begun there would
   * never end: its staged file would stay.
   */
  private boolean settled() {
    return done.future().isComplete();
  }

  @Override
  public void onPartBegin() {
    partHeaders.clear();
  }

  @Override
  public void onPartHeader(String name, String value) {
    partHeaders.add(name, value);
  }

  @Override
  public void onPartHeaders() {
    if (settled()) {
      return;
    }
    PartName names = PartName.of(partHeaders.get("Content-Disposition"));
    if (names.name() == null) {
      refuse("a part has no Content-Disposition name");
    } else if (names.fileName() != null) {
      if (FILE_FIELD.equals(names.name()) && !fileSeen) {
        fileSeen = true;
        file = new FilePart(names.fileName(), mediaType(partHeaders.get("Content-Type")));
        onFile.handle(file);
      }
    } else {
      fieldName = names.name();
      field = new ByteArrayOutputStream();
    }
  }

  @Override
  public void onPartContent(Content.Chunk chunk) {
    if (settled()) {
      return;
    }
    ByteBuffer bytes = chunk.getByteBuffer();
    if (file != null) {
      byte[] copy = new byte[bytes.remaining()];
      bytes.get(copy);
      file.push(Buffer.buffer(copy));
    } else if (field != null) {
      if (field.size() + bytes.remaining() > MAX_FIELD_BYTES) {
        refuse("the form field " + fieldName + " is longer than " + MAX_FIELD_BYTES + " bytes");
        return;
      }
      byte[] copy = new byte[bytes.remaining()];
      bytes.get(copy);
      field.writeBytes(copy);
    }
  }

  @Override
  public void onPartEnd() {
    if (settled()) {
      return;
    }
    if (file != null) {
      file.end();
      file = null;
    } else if (field != null) {
      fields.add(fieldName, field.toString(StandardCharsets.UTF_8));
      field = null;
      fieldName = null;
    }
  }

  @Override
  public void onComplete() {
    done.tryComplete(fields);
  }

  @Override
  public void onFailure(Throwable failure) {
    // EOFException ("unexpected EOF in CONTENT"): the body ended before the closing boundary.
    refuse(failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage());
  }

  /** A part's type without its parameters, lower case; null when it has none. */
  private static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    String t = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    return t.isEmpty() ? null : t;
  }

  /** The name and file name of a part, read by Jetty's own Content-Disposition parsing. */
  private record PartName(String name, String fileName) {
    static PartName of(String contentDisposition) {
      if (contentDisposition == null) {
        return new PartName(null, null);
      }
      MultiPart.AbstractPartsListener reader = new MultiPart.AbstractPartsListener() {
        @Override
        public void onPart(String name, String fileName, HttpFields headers) {
        }
      };
      reader.onPartHeader("Content-Disposition", contentDisposition);
      return new PartName(reader.getName(), reader.getFileName());
    }
  }

  /**
   * The file part as a stream. The parser may hand over the rest of a network chunk after the
   * reader paused; that is queued here (one chunk at most) while the request itself is paused.
   */
  final class FilePart implements ReadStream<Buffer> {
    private final String fileName;
    private final String contentType;
    private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    private boolean paused;
    private boolean ended;
    private Throwable failure;
    private boolean over;

    private FilePart(String fileName, String contentType) {
      this.fileName = fileName;
      this.contentType = contentType;
    }

    String fileName() {
      return fileName;
    }

    String contentType() {
      return contentType;
    }

    private void push(Buffer b) {
      queue.add(b);
      deliver();
    }

    private void end() {
      ended = true;
      deliver();
    }

    private void fail(Throwable cause) {
      failure = cause;
      queue.clear();
      deliver();
    }

    private void deliver() {
      while (!paused && handler != null && !queue.isEmpty()) {
        handler.handle(queue.poll());
      }
      if (over || !queue.isEmpty() && failure == null) {
        return;
      }
      if (failure != null && exceptionHandler != null) {
        over = true;
        exceptionHandler.handle(failure);
      } else if (ended && failure == null && !paused && endHandler != null) {
        over = true;
        endHandler.handle(null);
      }
    }

    @Override
    public FilePart exceptionHandler(Handler<Throwable> h) {
      exceptionHandler = h;
      deliver();
      return this;
    }

    @Override
    public FilePart handler(Handler<Buffer> h) {
      handler = h;
      deliver();
      return this;
    }

    @Override
    public FilePart pause() {
      if (!paused) {
        paused = true;
        request.pause();
      }
      return this;
    }

    @Override
    public FilePart resume() {
      if (paused) {
        paused = false;
        deliver();
        if (!paused) {
          request.resume();
        }
      }
      return this;
    }

    @Override
    public FilePart fetch(long amount) {
      return amount > 0 ? resume() : this;
    }

    @Override
    public FilePart endHandler(Handler<Void> h) {
      endHandler = h;
      deliver();
      return this;
    }
  }
}
