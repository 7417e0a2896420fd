package org.integritycommons.searchnode;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts one OpenSearch node in this JVM with the modules found on the classpath
 * registered as "classpath plugins" (no plugin/module directories, no security
 * manager, no bootstrap checks). Used by bin/search-node for tests and development.
 *
 * Usage: SearchNode HOME_DIR [setting=value ...]
 * HOME_DIR gets a config/ folder (log4j2.properties); every other path comes from
 * the settings given on the command line (path.data, path.logs, http.port, ...).
 */
public final class SearchNode {

    static final List<Class<? extends Plugin>> PLUGINS = Arrays.asList(
            Netty4Plugin.class,
            CommonAnalysisPlugin.class,
            PainlessPlugin.class,
            MapperExtrasPlugin.class);

    /** Node has a protected constructor that accepts plugin classes directly. */
    static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }

        @Override
        protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {
            // The default installs a listener that sets the node/cluster id in the log
            // context; not needed here.
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SearchNode HOME_DIR [setting=value ...]");
            System.exit(2);
        }
        Path home = Paths.get(args[0]).toAbsolutePath();
        Path config = home.resolve("config");
        Files.createDirectories(config);
        try (InputStream in = SearchNode.class.getResourceAsStream("/log4j2.properties")) {
            Files.copy(in, config.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }

        Settings.Builder builder = Settings.builder().put("path.home", home.toString());
        for (String arg : Arrays.asList(args).subList(1, args.length)) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected setting=value, got: " + arg);
            }
            builder.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();
        String nodeName = settings.get("node.name", "search-node");
        Environment env = InternalSettingsPreparer.prepareEnvironment(
                settings, Collections.emptyMap(), config, () -> nodeName);
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(env);
        Files.createDirectories(env.pluginsFile());
        Files.createDirectories(env.modulesFile());

        Node node = new ClasspathNode(env, PLUGINS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "search-node-shutdown"));

        // If the launching script disappears (e.g. SIGKILL), do not linger.
        String parentPid = System.getProperty("searchnode.parent.pid");
        if (parentPid != null && !parentPid.isEmpty()) {
            ProcessHandle.of(Long.parseLong(parentPid))
                    .ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        }

        node.start();
        stopped.await(); // keep the JVM alive: node threads may all be daemons
    }
}
