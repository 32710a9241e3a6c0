package dev.nabla.cli;

import dev.nabla.train.FitOptions;
import dev.nabla.train.callbacks.ModelCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --checkpoint} and {@code --resume} options of {@code nabla train}, applied to the fit settings. */
final class Checkpoints {
    private Checkpoints() {}

    /**
     * The checkpoint file {@code --resume} names: the file itself, or {@code last.safetensors} in a directory; null
     * without {@code --resume}. Fails, before any data is loaded, when there is none.
     */
    static Path resumeFile(Path resume) {
        if (resume == null) {
            return null;
        }
        Path file = Files.isDirectory(resume) ? ModelCheckpoint.lastIn(resume) : resume;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--resume " + resume + ": no checkpoint "
                    + (Files.isDirectory(resume) ? ModelCheckpoint.LAST + " in that directory" : "file there"));
        }
        return file;
    }

    /**
     * Resumes from {@code resumeFile} (may be null) and adds a {@link ModelCheckpoint} writing to
     * {@code checkpointDir}, or when that is null and a run resumes, to the directory of the checkpoint resumed.
     */
    static void configure(FitOptions options, Path checkpointDir, Path resumeFile) {
        Path dir = checkpointDir;
        if (resumeFile != null) {
            options.resumeFrom(resumeFile);
            if (dir == null) {
                dir = resumeFile.toAbsolutePath().getParent();
            }
            System.out.println("resuming from " + resumeFile);
        }
        if (dir != null) {
            options.callbacks(new ModelCheckpoint(dir).keepBest("val_loss"));
        }
    }
}
