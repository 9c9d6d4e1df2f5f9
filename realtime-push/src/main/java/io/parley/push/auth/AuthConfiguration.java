package io.parley.push.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.push.EdgeSchema;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The authentication beans. Credentials, token versions and ended sessions live on the application's
 * {@link DataSource} (the H2 file database in standalone mode, PostgreSQL elsewhere); in a deployment of several edge
 * nodes that database and {@code parley.auth.jwt-secret} must be shared by all of them.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({AuthProperties.class, RoleProperties.class})
@Import(SecurityConfiguration.class)
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
    @DependsOn(EdgeSchema.BEAN)
    SessionStore sessionStore(DataSource dataSource) {
        return new SessionStore(dataSource);
    }

    @Bean
    SessionGuard sessionGuard(CredentialStore credentials, SessionStore sessions, DataSource dataSource,
                              ObjectProvider<SessionGuard.Listener> listeners, AuthProperties properties) {
        return new SessionGuard(credentials, sessions, new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                listeners, properties, Clock.systemUTC());
    }

    @Bean
    LoginThrottle loginThrottle(AuthProperties properties) {
        return new LoginThrottle(properties.maxLoginFailures(), properties.loginFailureWindow(), Clock.systemUTC());
    }

    /**
     * Also a bean so that Spring Boot does not set up its default in-memory user. The external issuer's decoder is
     * Boot's, built from {@code spring.security.oauth2.resourceserver.jwt.*} when set.
     */
    @Bean
    TokenAuthenticationManager tokenAuthenticationManager(TokenService tokens, SessionGuard guard,
                                                          ObjectProvider<ReactiveJwtDecoder> externalIssuer,
                                                          AuthProperties properties, RoleProperties roles) {
        return new TokenAuthenticationManager(tokens, guard, externalIssuer.getIfUnique(), properties, roles);
    }

    @Bean
    SecurityAnswers securityAnswers(ObjectProvider<ObjectMapper> json) {
        return new SecurityAnswers(json);
    }
}
