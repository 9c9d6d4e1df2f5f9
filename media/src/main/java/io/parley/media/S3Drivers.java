package io.parley.media;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;

/** Builds the {@code s3} driver's client and presigner from {@link MediaProperties.S3}. */
public final class S3Drivers {

    private S3Drivers() {
    }

    public static S3MediaStore create(MediaProperties.S3 s3) {
        AwsCredentialsProvider credentials = s3.accessKey() == null || s3.accessKey().isBlank()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey()));
        S3Configuration config = S3Configuration.builder().pathStyleAccessEnabled(s3.pathStyle()).build();
        var client = S3Client.builder().region(Region.of(s3.region())).credentialsProvider(credentials)
                .serviceConfiguration(config)
                // checksums only where S3 requires them: the SDK's default CRC trailers in chunked uploads are not
                // understood by every S3-compatible store
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED);
        var presigner = S3Presigner.builder().region(Region.of(s3.region())).credentialsProvider(credentials)
                .serviceConfiguration(config);
        if (s3.endpoint() != null && !s3.endpoint().isBlank()) {
            client.endpointOverride(URI.create(s3.endpoint()));
        }
        String clients = publicEndpoint(s3);
        if (clients != null) {
            presigner.endpointOverride(URI.create(clients));
        }
        S3Client built = client.build();
        if (s3.createBucket()) {
            createBucket(built, s3.bucket());
        }
        return new S3MediaStore(built, presigner.build(), s3.bucket(), (int) s3.partSize().toBytes(), origin(s3));
    }

    /** Where the presigned URLs point: the endpoint (path style), the bucket's host under it, or AWS's. */
    static String origin(MediaProperties.S3 s3) {
        String clients = publicEndpoint(s3);
        if (clients == null) {
            return "https://" + s3.bucket() + ".s3." + s3.region() + ".amazonaws.com";
        }
        URI endpoint = URI.create(clients);
        String port = endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort();
        String host = s3.pathStyle() ? endpoint.getHost() : s3.bucket() + "." + endpoint.getHost();
        return endpoint.getScheme() + "://" + host + port;
    }

    private static String publicEndpoint(MediaProperties.S3 s3) {
        if (s3.publicEndpoint() != null && !s3.publicEndpoint().isBlank()) {
            return s3.publicEndpoint();
        }
        return s3.endpoint() == null || s3.endpoint().isBlank() ? null : s3.endpoint();
    }

    private static void createBucket(S3Client client, String bucket) {
        try {
            client.headBucket(r -> r.bucket(bucket));
        } catch (NoSuchBucketException missing) {
            try {
                client.createBucket(r -> r.bucket(bucket));
            } catch (BucketAlreadyOwnedByYouException raced) {
                // another node created it meanwhile
            }
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            client.createBucket(r -> r.bucket(bucket));
        }
    }
}
