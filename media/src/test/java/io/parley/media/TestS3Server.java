package io.parley.media;

import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;

/**
 * s3proxy with its filesystem backend, on a free port of 127.0.0.1, requiring SigV4 (or V2) signatures with a fixed
 * test identity. A real S3-protocol server: the SDK signs, presigned URLs are checked, multipart uploads are assembled.
 */
public final class TestS3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "parley-test";
    public static final String SECRET_KEY = "parley-test-secret";
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    private TestS3Server(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
    }

    public static TestS3Server start(Path dir) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(properties)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            Thread.sleep(10);
        }
        return new TestS3Server(proxy, context);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** A store on a new bucket named {@code bucket}. */
    public S3MediaStore store(String bucket) {
        MediaProperties.S3 s3 = new MediaProperties.S3(endpoint().toString(), null, REGION, bucket, true, ACCESS_KEY,
                SECRET_KEY, true, org.springframework.util.unit.DataSize.ofMegabytes(8));
        return S3Drivers.create(s3);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
