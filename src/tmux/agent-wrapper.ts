/**
 * Runs the agent's command under its shell, then records the exit code as the pane option
 * @amux-exit: tmux 3.3a sometimes loses pane_dead_status of a respawned pane that has a pipe.
 * First it drops every variable not named in $3: the tmux server's global environment holds
 * whatever its starter had (a server amux did not start, or an older amux's), and none of it
 * may reach the agent. The trap keeps this small parent alive through Ctrl-C (which the agent
 * itself receives, with its default disposition restored at exec); a hang-up (kill-session)
 * ends both.
 */
export const EXIT_WRAPPER =
  "trap : INT QUIT\n" +
  // Shell builtins only (export -p, read, case): no process per variable, none per agent.
  "while IFS= read -r __amux_l; do case $__amux_l in 'export '*|'declare -x '*) " +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's parameter expansion
  "__amux_v=${__amux_l#export }; __amux_v=${__amux_v#declare -x }; __amux_v=${__amux_v%%=*}; " +
  'case " $3 " in *" $__amux_v "*) ;; *) unset "$__amux_v" 2>/dev/null ;; esac ;; esac; done <<__amux_env\n' +
  "$(export -p)\n__amux_env\nunset __amux_l __amux_v; " +
  '"$1" -c "$2"; c=$?; tmux set-option -p -t "$TMUX_PANE" @amux-exit "$c" >/dev/null 2>&1; exit "$c"';
