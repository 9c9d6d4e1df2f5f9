package io.parley.notify;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.eventstore.erasure.TextSeal;
import io.parley.notify.processor.NotificationDispatcher;
import io.parley.notify.processor.NotificationProcessor;
import io.parley.notify.sender.ApnsSender;
import io.parley.notify.sender.FcmSender;
import io.parley.notify.sender.Http;
import io.parley.notify.sender.PushSender;
import io.parley.notify.sender.VapidKeyring;
import io.parley.notify.sender.WebPushSender;
import io.parley.notify.sender.WebhookSender;
import io.parley.notify.store.DeliveryStore;
import io.parley.notify.store.DeviceRegistry;
import io.parley.notify.store.NotificationSettings;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The notification service for any application with this module on its class path and a SQL data source: its tables,
 * the device registry and settings (which the edge exposes), the VAPID identity, and, unless
 * {@code parley.notifications.processor-enabled=false}, the notification processor, the dispatcher and the senders.
 */
@AutoConfiguration(afterName = {"org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "io.parley.distributed.ParleyDistributedAutoConfiguration",
        "org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration"})
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(NotificationProperties.class)
public class NotificationsAutoConfiguration {

    @Bean(NotificationsSchema.BEAN)
    NotificationsSchema parleyNotificationsSchema(DataSource dataSource) {
        return new NotificationsSchema(dataSource);
    }

    @Bean
    @DependsOn(NotificationsSchema.BEAN)
    DeviceRegistry parleyDeviceRegistry(DataSource dataSource, PlatformTransactionManager transactions,
                                        NotificationProperties properties) {
        return new DeviceRegistry(new JdbcTemplate(dataSource), new TransactionTemplate(transactions),
                properties.supportedKinds(), properties.allowPlainHttp(),
                new TargetAddresses(properties.allowPrivateAddresses()), properties.maxTargetsPerUser());
    }

    @Bean
    @DependsOn(NotificationsSchema.BEAN)
    NotificationSettings parleyNotificationSettings(DataSource dataSource) {
        return new NotificationSettings(new JdbcTemplate(dataSource));
    }

    @Bean
    @DependsOn(NotificationsSchema.BEAN)
    DeliveryStore parleyDeliveryStore(DataSource dataSource) {
        return new DeliveryStore(new JdbcTemplate(dataSource));
    }

    @Bean
    VapidKeyring parleyVapidKeyring(NotificationProperties properties, Environment environment) {
        NotificationProperties.WebPush webPush = properties.webPush();
        if (webPush.publicKey() != null && !webPush.publicKey().isBlank()) {
            return VapidKeyring.configured(webPush.subject(), webPush.publicKey(), webPush.privateKey());
        }
        String file = webPush.keyFile() != null ? webPush.keyFile()
                : environment.getProperty("parley.data-dir", "./data") + "/vapid-keys.properties";
        return VapidKeyring.inFile(webPush.subject(), Path.of(file));
    }

    /** The processor, the dispatcher and the senders: where notifications are decided and sent. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "parley.notifications.processor-enabled", havingValue = "true", matchIfMissing = true)
    static class Processing {

        @Bean
        @ConditionalOnMissingBean(name = "parleyNotificationClock")
        Clock parleyNotificationClock() {
            return Clock.systemUTC();
        }

        @Bean(destroyMethod = "shutdown")
        ExecutorService parleyNotificationHttpExecutor() {
            return Executors.newFixedThreadPool(2, r -> {
                Thread thread = new Thread(r, "notification-http");
                thread.setDaemon(true);
                return thread;
            });
        }

        @Bean
        HttpClient parleyNotificationHttpClient(ExecutorService parleyNotificationHttpExecutor) {
            return Http.client(Duration.ofSeconds(5), parleyNotificationHttpExecutor);
        }

        @Bean
        WebPushSender parleyWebPushSender(VapidKeyring keys, HttpClient parleyNotificationHttpClient,
                                          NotificationProperties properties) {
            return new WebPushSender(keys, parleyNotificationHttpClient, properties.requestTimeout(),
                    new TargetAddresses(properties.allowPrivateAddresses()));
        }

        @Bean
        WebhookSender parleyWebhookSender(HttpClient parleyNotificationHttpClient, NotificationProperties properties,
                                          Clock parleyNotificationClock) {
            return new WebhookSender(parleyNotificationHttpClient, properties.requestTimeout(), parleyNotificationClock,
                    new TargetAddresses(properties.allowPrivateAddresses()));
        }

        /** APNs, when {@code parley.notifications.apns.topic} is set (with a signing key or a certificate). */
        @Bean(destroyMethod = "close")
        @ConditionalOnProperty(prefix = "parley.notifications.apns", name = "topic")
        ApnsSender parleyApnsSender(NotificationProperties properties) {
            if (!properties.apns().configured()) {
                throw new IllegalStateException("parley.notifications.apns.topic is set, but neither signing-key-file,"
                        + " team-id and key-id nor certificate-file");
            }
            return ApnsSender.create(properties.apns(), Duration.ofSeconds(5));
        }

        /** FCM, when {@code parley.notifications.fcm.service-account-file} is set. */
        @Bean(destroyMethod = "close")
        @ConditionalOnProperty(prefix = "parley.notifications.fcm", name = "service-account-file")
        FcmSender parleyFcmSender(NotificationProperties properties) {
            return FcmSender.create(properties.fcm(), properties.requestTimeout(), null);
        }

        /** In the notification service's own process: the push nodes' presence, read from Redis. */
        @Bean
        @ConditionalOnMissingBean(PresencePort.class)
        @ConditionalOnBean(io.lettuce.core.RedisClient.class)
        @ConditionalOnProperty(name = "parley.presence", havingValue = "redis")
        RedisPresencePort parleyRedisPresencePort(io.lettuce.core.RedisClient client, Environment environment) {
            return new RedisPresencePort(client, environment.getProperty("parley.redis.key-prefix", "parley"));
        }

        @Bean
        @DependsOn(NotificationsSchema.BEAN)
        NotificationProcessor parleyNotificationProcessor(DataSource dataSource, NotificationProperties properties,
                                                          Clock parleyNotificationClock,
                                                          ObjectProvider<TextSeal> seal) {
            return new NotificationProcessor(new JdbcTemplate(dataSource), properties, parleyNotificationClock,
                    seal.getIfAvailable());
        }

        @Bean
        NotificationDispatcher parleyNotificationDispatcher(DataSource dataSource, PlatformTransactionManager transactions,
                                                            DeviceRegistry registry, NotificationSettings settings,
                                                            DeliveryStore deliveries,
                                                            ObjectProvider<PresencePort> presence,
                                                            List<PushSender> senders, NotificationProperties properties,
                                                            Clock parleyNotificationClock,
                                                            ObjectProvider<TextSeal> seal,
                                                            ObjectProvider<MeterRegistry> meters) {
            PresencePort connected = presence.getIfAvailable(() -> user -> false);
            NotificationDispatcher dispatcher = new NotificationDispatcher(new JdbcTemplate(dataSource),
                    new TransactionTemplate(transactions), registry, settings, deliveries, connected, senders,
                    properties, parleyNotificationClock, seal.getIfAvailable());
            meters.ifAvailable(dispatcher::countOn);
            return dispatcher;
        }
    }
}
