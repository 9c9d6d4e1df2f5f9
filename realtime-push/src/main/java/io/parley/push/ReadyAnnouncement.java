package io.parley.push;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.net.InetAddress;

/**
 * The last line of a start: where this node listens and where the web client is, so an operator (or a script) need
 * not work it out from the port and the defaults.
 */
@Component
class ReadyAnnouncement implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger("parley");

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (!(event.getApplicationContext() instanceof WebServerApplicationContext web) || web.getWebServer() == null) {
            return;
        }
        log.info(line(event.getApplicationContext().getEnvironment(), web.getWebServer().getPort()));
    }

    static String line(Environment environment, int port) {
        InetAddress address = environment.getProperty("server.address", InetAddress.class);
        boolean everywhere = address == null || address.isAnyLocalAddress();
        String host = everywhere ? "localhost" : address.getHostAddress().contains(":")
                ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        String base = "http://" + host + ":" + port;
        return "Parley is ready: web client at " + base + "/ ; HTTP API " + base + "/api, WebSocket "
                + base.replaceFirst("^http", "ws") + "/ws (listening on "
                + (everywhere ? "all interfaces" : address.getHostAddress()) + ", port " + port + ")";
    }
}
