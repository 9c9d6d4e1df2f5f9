package io.parley.standalone;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A standalone Parley booted on a random port over a data directory, as a user would run it. */
final class RunningParley implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    final Path dataDir;
    final int port;

    private RunningParley(ConfigurableApplicationContext context, Path dataDir) {
        this.context = context;
        this.dataDir = dataDir;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private RunningParley(int port) {
        this.context = null;
        this.dataDir = null;
        this.port = port;
    }

    /** A Parley running elsewhere (another process) that clients can talk to; it has no beans to offer. */
    static RunningParley remote(int port) {
        return new RunningParley(port);
    }

    static RunningParley start(Path dataDir, String... extraProperties) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--parley.data-dir=" + dataDir.toAbsolutePath()));
        for (String property : extraProperties) {
            args.add("--" + property);
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ParleyApplication.class)
                .run(args.toArray(String[]::new));
        return new RunningParley(context, dataDir);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    <T> T bean(String name, Class<T> type) {
        return context.getBean(name, type);
    }

    String http() {
        return "http://localhost:" + port;
    }

    String ws() {
        return "ws://localhost:" + port + "/ws";
    }

    @Override
    public void close() {
        if (context != null) {
            context.close();
        }
    }
}
