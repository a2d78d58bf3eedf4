// Runs a Flink SQL script statement by statement, the way Flink's SQL client runs
// `sql-client.sh -f`: on a local MiniCluster, or, when FLINK_CONF_DIR is set, on the session
// cluster that configuration names (execution.target remote). The local test and the image
// built from registry packages (shared/docker/flink-pypi.Dockerfile) need it because the SQL
// client jar on PyPI (apache-flink-libraries) lacks the SQL gateway it depends on; this driver
// only needs the Table API jars that package ships. Launched as a source file (`java -cp JARS
// RunSql.java SCRIPT`), so there is no build step.
//
// A statement ends with `;` at the end of a line, except inside `EXECUTE STATEMENT SET BEGIN …
// END;`, which Flink runs as one job. `SET 'key' = 'value';` sets a configuration option.
// On a MiniCluster every job is awaited (it lives in this JVM): the driver returns when the
// bounded job has FINISHED, and prints the job's wall time as `flink_job_seconds=S`. On a
// session cluster `table.dml-sync` decides, as in Flink's SQL client: `false` (the stack's
// setting) submits the job and prints `Job ID: <id>`, the line rtde's `flink_job` probe
// watches the job by, through the JobManager's REST API; `true` awaits it here.

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.config.TableConfigOptions;

public class RunSql {
    private static final Pattern SET =
            Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'([^']*)'");

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp JARS RunSql.java SCRIPT.sql");
            System.exit(2);
        }
        Configuration configuration = new Configuration();
        String confDir = System.getenv("FLINK_CONF_DIR");
        boolean remote = confDir != null && !confDir.isEmpty();
        if (remote) {
            configuration = GlobalConfiguration.loadConfiguration(confDir);
            configuration.set(DeploymentOptions.TARGET, "remote");
        }
        TableEnvironment env =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .inStreamingMode()
                                .withConfiguration(configuration)
                                .build());
        for (String statement : statements(Files.readString(Path.of(args[0])))) {
            Matcher set = SET.matcher(statement);
            if (set.matches()) {
                env.getConfig().set(set.group(1), set.group(2));
                continue;
            }
            long started = System.nanoTime();
            TableResult result = env.executeSql(statement);
            if (result.getJobClient().isPresent()) {
                if (remote && !env.getConfig().get(TableConfigOptions.TABLE_DML_SYNC)) {
                    System.out.println(
                            "Job ID: " + result.getJobClient().get().getJobID().toHexString());
                    continue;
                }
                result.await();
                System.out.printf(
                        Locale.ROOT,
                        "flink_job_seconds=%.1f%n",
                        (System.nanoTime() - started) / 1e9);
            } else if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                result.print();
            }
        }
    }

    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inStatementSet = false;
        for (String line : script.split("\n", -1)) {
            String trimmed = line.trim();
            if (current.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("--"))) {
                continue;
            }
            current.append(line).append('\n');
            if (current.toString().trim().toUpperCase(Locale.ROOT).startsWith("EXECUTE STATEMENT SET")) {
                inStatementSet = true;
            }
            boolean ends = inStatementSet
                    ? trimmed.equalsIgnoreCase("END;")
                    : trimmed.endsWith(";");
            if (ends) {
                String text = current.toString().trim();
                statements.add(text.substring(0, text.length() - 1));
                current.setLength(0);
                inStatementSet = false;
            }
        }
        if (current.toString().trim().length() > 0) {
            throw new IllegalArgumentException("the script ends inside a statement: " + current);
        }
        return statements;
    }
}
