package io.berth.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code berth} command line. */
@Command(name = "berth", mixinStandardHelpOptions = true, version = "berth 0.1.0",
        description = "A container registry and registry-storage toolkit, compatible with distribution.",
        subcommands = {ServeCommand.class, GcCommand.class, VerifyCommand.class, MigrateCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
