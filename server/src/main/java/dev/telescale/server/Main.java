package dev.telescale.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code telescale} command. Bad arguments print one line and exit 2; a failure while
 * running (a port already in use, say) prints one line and exits 1. Neither prints a stack trace.
 */
@Command(name = "telescale",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Runs Telegram bots at scale, and the Telegram Bot API emulator they are tested against.",
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        subcommands = {RunCommand.class, MigrateCommand.class, EmulatorCommand.class, dev.telescale.bench.BenchCommand.class})
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: the command tree plus the one-line error handlers. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setParameterExceptionHandler(Main::badArguments)
                .setExecutionExceptionHandler(Main::failed);
    }

    /** {@code telescale} without a command: show what there is, and count it as a usage error. */
    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.usage(commandLine.getErr());
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int badArguments(ParameterException problem, String[] args) {
        CommandLine commandLine = problem.getCommandLine();
        StringBuilder line = new StringBuilder("telescale: ").append(problem.getMessage());
        if (problem instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                line.append(" (did you mean ").append(String.join(" or ", suggestions)).append("?)");
            }
        }
        line.append(" - see '").append(commandLine.getCommandSpec().qualifiedName()).append(" --help'");
        PrintWriter err = commandLine.getErr();
        err.println(line);
        err.flush();
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int failed(Exception failure, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println("telescale: " + commandLine.getCommandName() + " failed: " + describe(failure));
        err.flush();
        return commandLine.getCommandSpec().exitCodeOnExecutionException();
    }

    /** The first message in a cause chain that is not just a wrapped cause's toString(), else a class name. */
    static String describe(Throwable failure) {
        for (Throwable current = failure; current != null;
                current = current.getCause() == current ? null : current.getCause()) {
            String message = current.getMessage();
            Throwable cause = current.getCause();
            if (message != null && !message.isBlank() && (cause == null || !message.equals(cause.toString()))) {
                return message.strip();
            }
        }
        return failure.getClass().getName();
    }

    /** The version Maven built, from a filtered resource (also correct when run from target/classes). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown"
            }
            String version = properties.getProperty("version", "unknown");
            return new String[] {"Telescale " + version,
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
