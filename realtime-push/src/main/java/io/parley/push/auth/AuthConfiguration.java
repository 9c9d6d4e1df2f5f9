package io.parley.push.auth;

import io.parley.push.EdgeSchema;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The authentication beans. Credentials live on the application's {@link DataSource} (the H2 file database in
 * standalone mode, PostgreSQL elsewhere); in a deployment of several edge nodes that database and
 * {@code parley.auth.jwt-secret} must be shared by all of them.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({AuthProperties.class, RoleProperties.class})
class AuthConfiguration {

    @Bean
    TokenService tokenService(AuthProperties properties, @Value("${parley.data-dir:./data}") String dataDir) {
        return new TokenService(properties, Path.of(dataDir), Clock.systemUTC());
    }

    @Bean
    @DependsOn(EdgeSchema.BEAN)
    CredentialStore credentialStore(DataSource dataSource, AuthProperties properties) {
        return new CredentialStore(dataSource, properties.bcryptStrength(), Clock.systemUTC());
    }

    @Bean
    LoginThrottle loginThrottle(AuthProperties properties) {
        return new LoginThrottle(properties.maxLoginFailures(), properties.loginFailureWindow(), Clock.systemUTC());
    }

    @Bean
    AuthWebFilter authWebFilter(TokenService tokenService) {
        return new AuthWebFilter(tokenService);
    }
}
