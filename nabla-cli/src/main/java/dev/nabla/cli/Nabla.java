package dev.nabla.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nabla} command: train, evaluate and use networks from the shell. */
@Command(name = "nabla", mixinStandardHelpOptions = true, version = "nabla 0.1.0",
        description = "Deep learning on the JVM: train the seed's MNIST network and more.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, ExplainCommand.class, TrainLmCommand.class, GenerateCommand.class,
                TagPosCommand.class, EmbedCommand.class})
public final class Nabla implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status: 0 on success, 1 on a failure, 2 on bad usage. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Nabla());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            commandLine.getErr().println("nabla " + commandLine.getCommandName() + ": " + message);
            if (System.getenv("NABLA_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        cli.setParameterExceptionHandler((e, params) -> {
            CommandLine failed = e.getCommandLine();
            failed.getErr().println("nabla " + failed.getCommandName() + ": " + e.getMessage()
                    + " (see: nabla " + (failed == cli ? "" : failed.getCommandName() + " ") + "--help)");
            return 2;
        });
        return cli.execute(args);
    }
}
