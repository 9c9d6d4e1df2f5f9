package io.parley.eventstore.h2;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * Hands out connections whose writes return only once they are in the database file ({@link GroupCommit}): an
 * explicit {@code commit()} of a transaction that changed something, and every statement that changed rows in
 * auto-commit mode (statements created in that mode are wrapped to see it); an explicit commit inside
 * {@link GroupCommit#commitAsynchronously} returns without waiting. Everything else (reads, rollbacks, the pool) is
 * the target's.
 * <p>
 * Before it hands out the first connection, it rolls back what a killed process left half-written in the file
 * ({@link CrashLeftovers}), when the file was not closed.
 */
final class GroupCommitDataSource extends DelegatingDataSource {

    private static final Set<String> UPDATES = Set.of("executeUpdate", "executeLargeUpdate", "executeBatch",
            "executeLargeBatch", "execute");

    private final GroupCommit groupCommit;
    /** The database's file, until its crash leftovers are rolled back; {@code null} after (or when unknown). */
    private volatile Path uncheckedFile;

    /**
     * @param databaseFile the file the target opens ({@link CrashLeftovers#databaseFile}), whose leftovers are rolled
     *                     back before the first connection is handed out; {@code null} to leave them to H2
     */
    GroupCommitDataSource(DataSource target, GroupCommit groupCommit, Path databaseFile) {
        super(target);
        this.groupCommit = groupCommit;
        this.uncheckedFile = databaseFile;
    }

    GroupCommitDataSource(DataSource target, GroupCommit groupCommit) {
        this(target, groupCommit, null);
    }

    @Override
    public Connection getConnection() throws SQLException {
        rollBackCrashLeftovers();
        return wrap(obtainTargetDataSource().getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        rollBackCrashLeftovers();
        return wrap(obtainTargetDataSource().getConnection(username, password));
    }

    /** Once, before any connection is handed out: the file's header is read before the target opens the file. */
    private void rollBackCrashLeftovers() throws SQLException {
        if (uncheckedFile == null) {
            return;
        }
        synchronized (this) {
            Path file = uncheckedFile;
            if (file == null) {
                return;
            }
            if (CrashLeftovers.closedUncleanly(file)) {
                try (Connection connection = obtainTargetDataSource().getConnection()) {
                    CrashLeftovers.rollBack(connection);
                }
            }
            uncheckedFile = null;
        }
    }

    private Connection wrap(Connection connection) {
        ConnectionHandler handler = new ConnectionHandler(connection);
        handler.self = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
        return handler.self;
    }

    private final class ConnectionHandler implements InvocationHandler {

        private final Connection target;
        private Connection self;

        private ConnectionHandler(Connection target) {
            this.target = target;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "commit" -> {
                    boolean pending = groupCommit.hasPendingChanges(target);
                    target.commit();
                    if (pending && GroupCommit.committingAsynchronously()) {
                        groupCommit.committedAsynchronously();
                    } else if (pending && GroupCommit.committingDeferred()) {
                        groupCommit.deferUntilWritten(target);
                    } else if (pending) {
                        groupCommit.awaitWritten(target);
                    }
                    return null;
                }
                case "setAutoCommit" -> {
                    // switching auto-commit on commits the open transaction (JDBC)
                    boolean pending = (Boolean) args[0] && !target.getAutoCommit()
                            && groupCommit.hasPendingChanges(target);
                    target.setAutoCommit((Boolean) args[0]);
                    if (pending) {
                        groupCommit.awaitWritten(target);
                    }
                    return null;
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                default -> {
                    Object result = call(target, method, args);
                    if (!(result instanceof Statement) || !target.getAutoCommit()) {
                        // In a transaction the commit is what waits, so its statements need no wrapper (which would
                        // cost a reflective call per parameter); one taken from such a statement's getConnection()
                        // is the pool's and would commit without waiting, which nothing here does.
                        return result;
                    }
                    if (result instanceof CallableStatement statement) {
                        return wrap(statement, CallableStatement.class);
                    }
                    if (result instanceof PreparedStatement statement) {
                        return wrap(statement, PreparedStatement.class);
                    }
                    if (result instanceof Statement statement) {
                        return wrap(statement, Statement.class);
                    }
                    return result;
                }
            }
        }

        private Object wrap(Statement statement, Class<? extends Statement> type) {
            return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {type},
                    (proxy, method, args) -> {
                        if ("getConnection".equals(method.getName())) {
                            return self;
                        }
                        Object result = call(statement, method, args);
                        if (UPDATES.contains(method.getName()) && target.getAutoCommit() && changedRows(statement,
                                result)) {
                            groupCommit.awaitWritten(target);
                        }
                        return result;
                    });
        }
    }

    private static boolean changedRows(Statement statement, Object result) throws SQLException {
        if (result instanceof Number count) {
            return count.longValue() > 0;
        }
        if (result instanceof int[] counts) {
            for (int count : counts) {
                if (count > 0 || count == Statement.SUCCESS_NO_INFO) {
                    return true;
                }
            }
            return false;
        }
        if (result instanceof long[] counts) {
            for (long count : counts) {
                if (count > 0 || count == Statement.SUCCESS_NO_INFO) {
                    return true;
                }
            }
            return false;
        }
        return Boolean.FALSE.equals(result) && statement.getUpdateCount() > 0; // execute(): false = an update count
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
