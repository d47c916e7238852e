// Package starttrace marks the phases of a wrapper's start and exit for
// bench/startup.sh, which shows where the start-up time goes
// (docs/performance.md#start-up). In a build with the tag starttrace (on
// Linux), Mark writes "starttrace LABEL MS" to stderr: the milliseconds
// since the CLOCK_MONOTONIC time in nanoseconds that the launcher put in
// WRAPPER_STARTTRACE_T0 just before it forked. In every other build Mark
// is empty, and the compiler drops its calls.
package starttrace

// EnvT0 names the variable that holds the launcher's time of the fork.
const EnvT0 = "WRAPPER_STARTTRACE_T0"
