package org.eucalypt.storage;

import io.vertx.core.Vertx;
import org.eucalypt.config.Settings;

/** The blob store the settings name: {@code storage=local} (the default) or {@code storage=s3}. */
public final class BlobStores {
  private BlobStores() {
  }

  public static BlobStore of(Vertx vertx, Settings settings) {
    return settings.s3()
      ? new S3BlobStore(vertx, S3Clients.of(settings), settings.s3Bucket(), settings.storageDir())
      : new LocalBlobStore(vertx, settings.storageDir());
  }
}
