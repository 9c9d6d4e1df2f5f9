package io.parley.query.admin;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Progress of rebuilds is logged on a schedule. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class AdminConfiguration {
}
