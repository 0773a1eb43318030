package org.eucalypt.storage;

import io.vertx.core.file.FileSystemException;

import java.util.Locale;

/**
 * What a failure of the blob store means to a client: the store is full (507 Insufficient
 * Storage, as for a storage limit), or it failed otherwise (502: the server's storage, not the
 * request, is at fault, and a retry later may work). A client that left mid-upload is neither.
 */
public final class StorageFailures {
  private StorageFailures() {
  }

  /** A failure of the storage itself, as opposed to the stream being stored. */
  public static final class StorageException extends RuntimeException {
    public StorageException(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** 507, 502, or 0 when {@code e} is no failure of the storage. */
  public static int status(Throwable e) {
    boolean storage = false;
    boolean full = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      storage |= t instanceof StorageException || t instanceof FileSystemException;
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      full |= m.contains("no space left") || m.contains("disk quota exceeded");
    }
    return !storage ? 0 : full ? 507 : 502;
  }

  public static String detail(int status) {
    return status == 507
      ? "Insufficient storage: the server's storage is full"
      : "Storage unavailable: the server could not use its storage, try again later";
  }
}
