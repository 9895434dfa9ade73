namespace EmoSer.Serve.Tests;

/// <summary>
/// Writes a small bash script that behaves like <c>emoser-train fit --events</c> as docs/trainer-events.md
/// describes: log, features and epoch events, then per <see cref="Mode"/> a done event with probe weights,
/// a hang (to be killed or cancelled), an error event, corrupt weights, or an exit without done.
/// </summary>
public static class FakeTrainer
{
    public enum Mode { Success, Evaluate, Hang, Error, BadWeights, NoDone }

    /// <summary>Creates the script in <paramref name="dir"/>; <paramref name="weightsText"/> is what Success writes.</summary>
    public static string Write(string dir, Mode mode, string weightsText = "probe:trained")
    {
        string path = Path.Combine(dir, $"fake-trainer-{mode.ToString().ToLowerInvariant()}.sh");
        string ending = mode switch
        {
            Mode.Success => $$"""
                printf '%s' '{{weightsText}}' > "$out/model-a.emow"
                echo '{"protocol":"full","wa":0.5,"ua":0.25,"confusion_matrix":[[1,0],[1,0]],"labels":["angry","sad"]}' > "$out/report.json"
                echo "{\"type\":\"done\",\"report\":\"$out/report.json\",\"weights\":\"$out/model-a.emow\"}"
                """,
            Mode.Evaluate => """
                echo '{"protocol":"holdout","wa":0.75,"ua":0.7}' > "$out/report.json"
                echo "{\"type\":\"done\",\"report\":\"$out/report.json\",\"weights\":null}"
                """,
            Mode.Hang => "exec sleep 300",
            Mode.Error => """
                echo '{"type":"error","message":"corpus: 3 files, need at least 2 per label"}'
                exit 1
                """,
            Mode.BadWeights => """
                printf 'garbage' > "$out/model-a.emow"
                echo "{\"type\":\"done\",\"report\":\"$out/report.json\",\"weights\":\"$out/model-a.emow\"}"
                """,
            Mode.NoDone => "exit 0",
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
        string script = $$"""
            #!/usr/bin/env bash
            out=""
            args="$*"
            while [ $# -gt 0 ]; do
              case "$1" in --out) out="$2"; shift;; esac
              shift
            done
            echo "{\"type\":\"log\",\"message\":\"args: $args\"}"
            echo 'plain text progress line'
            echo 'a line on stderr' >&2
            echo '{"type":"features","done":3,"total":3}'
            for e in 1 2 3; do
              echo "{\"type\":\"epoch\",\"fold\":\"full\",\"member\":1,\"epoch\":$e,\"loss\":1.$e,\"acc\":0.$e,\"val_loss\":null,\"val_acc\":null}"
            done
            {{ending}}
            """;
        File.WriteAllText(path, script.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
