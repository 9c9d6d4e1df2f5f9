package io.parley.media;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Media sharing where a process has a database (the edge): the store of {@code parley.media.driver}, the scanner hook
 * (none unless a bean is declared), the service on its migrated tables, and the collector of unfinished and unattached
 * uploads every {@code parley.media.collect-every}.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(MediaProperties.class)
public class MediaAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    MediaStore parleyMediaStore(MediaProperties properties, @Value("${parley.data-dir:./data}") String dataDir) {
        if ("s3".equals(properties.driver())) {
            return S3Drivers.create(properties.s3());
        }
        Path data = Path.of(dataDir);
        Path root = properties.localDir() == null || properties.localDir().isBlank() ? data.resolve("media")
                : Path.of(properties.localDir());
        return new LocalMediaStore(root, UrlSigner.configuredOrKeptIn(properties.urlSecret(), data),
                Clock.systemUTC());
    }

    @Bean
    @ConditionalOnMissingBean
    MediaScanner parleyMediaScanner() {
        return MediaScanner.NONE;
    }

    @Bean
    @ConditionalOnMissingBean
    MediaService parleyMediaService(MediaStore store, DataSource dataSource, MediaProperties properties,
                                    ObjectProvider<MediaScanner> scanner,
                                    ObjectProvider<MeterRegistry> meters) {
        MediaSchema.migrate(dataSource);
        MediaService media = new MediaService(store, dataSource, properties,
                scanner.getIfAvailable(() -> MediaScanner.NONE), Clock.systemUTC());
        meters.ifAvailable(media::countOn);
        return media;
    }

    /** The collector's thread; shut down with the context. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService parleyMediaCollector(MediaService media, MediaProperties properties) {
        ScheduledExecutorService collector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-media-collector");
            t.setDaemon(true);
            return t;
        });
        long every = properties.collectEvery().toMillis();
        collector.scheduleWithFixedDelay(() -> {
            try {
                media.collect();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(MediaAutoConfiguration.class).warn("media collection failed", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
        return collector;
    }
}
