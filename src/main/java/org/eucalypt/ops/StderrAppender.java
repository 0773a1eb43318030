package org.eucalypt.ops;

import ch.qos.logback.core.OutputStreamAppender;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Standard error through a buffer of its own, for the access log's ring (logback.xml). logback's
 * ConsoleAppender writes through System.err, which flushes every line: under load, a write(2) per
 * request. Behind the ring, with {@code immediateFlush} false, lines gather here and the ring's
 * thread flushes them when it has written all it had (logstash-logback-encoder flushes an
 * OutputStreamAppender at the end of each batch), so a burst of lines is one write. Whole lines
 * only ever go out, so they do not interleave with the other loggers' lines. Stopping flushes
 * and leaves standard error open for whatever is still written after.
 */
public class StderrAppender<E> extends OutputStreamAppender<E> {
  @Override
  public void start() {
    // Through System.err as it is when a burst goes out (so a harness that captures it, such as
    // Surefire's forked JVMs, still does), not around it to the descriptor.
    OutputStream stderr = new OutputStream() {
      @Override
      public void write(int b) {
        System.err.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        System.err.write(b, off, len);
      }

      @Override
      public void flush() {
        System.err.flush();
      }
    };
    setOutputStream(new BufferedOutputStream(stderr, 64 * 1024) {
      @Override
      public void close() throws IOException {
        flush();
      }
    });
    super.start();
  }
}
