package io.parley.media;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * Media settings ({@code parley.media.*}). Defaults follow what chat products allow (WhatsApp: 16 MB media, 2 GB
 * documents; Slack: 1 GB files; Mattermost: 100 MB files) scaled to a small self-hosted node.
 *
 * @param driver            {@code local} (files under {@code ${parley.data-dir}/media}, the default) or {@code s3}
 * @param urlTtl            how long a signed download URL works; minutes, not hours, so a copied link soon dies
 * @param uploadTtl         how long a signed upload URL works, and how long an upload may stay unfinished before it
 *                          is collected
 * @param unattachedTtl     how long a finished upload may stay unattached to any message before it is collected
 * @param collectEvery      how often unfinished and unattached uploads are looked for
 * @param maxImageSize      the largest image
 * @param maxVideoSize      the largest video
 * @param maxFileSize       the largest other file (documents, audio, archives)
 * @param quota             the most bytes one user's media may take, unfinished uploads counted at their declared size
 * @param uploadsPerMinute  uploads one user may start in any minute
 * @param maxAttachments    attachments one message may carry (at most 32, the aggregate's own bound)
 * @param maxPixels         the largest image (width × height) that is decoded; larger ones are refused as
 *                          decompression bombs (a 20 MB JPEG can hold 100k × 100k pixels, 40 GB decoded)
 * @param thumbnailSize     the longest side of a thumbnail, pixels
 * @param urlSecret         base64 key (≥ 32 bytes) signing the local driver's URLs; generated and kept in
 *                          {@code ${parley.data-dir}/media-url-secret} when unset. Every node needs the same
 * @param localDir          the local driver's directory; {@code ${parley.data-dir}/media} when unset
 * @param s3                the {@code s3} driver's store
 */
@ConfigurationProperties("parley.media")
public record MediaProperties(@DefaultValue("local") String driver,
                              @DefaultValue("5m") Duration urlTtl,
                              @DefaultValue("15m") Duration uploadTtl,
                              @DefaultValue("24h") Duration unattachedTtl,
                              @DefaultValue("5m") Duration collectEvery,
                              @DefaultValue("20MB") DataSize maxImageSize,
                              @DefaultValue("200MB") DataSize maxVideoSize,
                              @DefaultValue("100MB") DataSize maxFileSize,
                              @DefaultValue("2GB") DataSize quota,
                              @DefaultValue("30") int uploadsPerMinute,
                              @DefaultValue("10") int maxAttachments,
                              @DefaultValue("50000000") long maxPixels,
                              @DefaultValue("320") int thumbnailSize,
                              String urlSecret,
                              String localDir,
                              @DefaultValue S3 s3) {

    public MediaProperties {
        if (!"local".equals(driver) && !"s3".equals(driver)) {
            throw new IllegalArgumentException("parley.media.driver must be local or s3, was " + driver);
        }
        if (maxAttachments < 1 || maxAttachments > 32) {
            throw new IllegalArgumentException("parley.media.max-attachments must be between 1 and 32");
        }
    }

    /** The defaults, as a test or a tool without Spring binds them. */
    public static MediaProperties defaults() {
        return new MediaProperties("local", Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(24),
                Duration.ofMinutes(5), DataSize.ofMegabytes(20), DataSize.ofMegabytes(200),
                DataSize.ofMegabytes(100), DataSize.ofGigabytes(2), 30, 10, 50_000_000L, 320, null, null,
                new S3(null, null, "us-east-1", "parley-media", false, null, null, false, DataSize.ofMegabytes(8)));
    }

    /**
     * The {@code s3} driver's store.
     *
     * @param endpoint       the store's URL as Parley reaches it, e.g. {@code http://minio:9000}; unset for AWS itself
     * @param publicEndpoint the store's URL as clients reach it, which presigned URLs name (their host is signed);
     *                       {@code endpoint} when unset
     * @param region       the region signatures name (MinIO accepts {@code us-east-1})
     * @param bucket       the bucket media objects go to
     * @param pathStyle    {@code http://host/bucket/key} instead of {@code http://bucket.host/key} (MinIO, s3proxy)
     * @param accessKey    the access key id; unset to use the SDK's default chain (environment, profile, instance role)
     * @param secretKey    the secret access key, with {@code accessKey}; never logged
     * @param createBucket create the bucket at start when it is missing (tests, compose); off for production stores
     * @param partSize     part size of the server's multipart uploads (at least 5 MiB); one part per upload in memory
     */
    public record S3(String endpoint, String publicEndpoint, @DefaultValue("us-east-1") String region,
                     @DefaultValue("parley-media") String bucket, @DefaultValue("false") boolean pathStyle,
                     String accessKey, String secretKey, @DefaultValue("false") boolean createBucket,
                     @DefaultValue("8MB") DataSize partSize) {

        @Override
        public String toString() {
            return "S3[endpoint=" + endpoint + ", publicEndpoint=" + publicEndpoint + ", region=" + region + ", bucket=" + bucket + ", pathStyle="
                    + pathStyle + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? null : "***")
                    + "]";
        }
    }
}
