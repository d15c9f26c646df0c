# Sourced: what an OpenSC tool printed on stdout, without the lines OpenSC
# 0.26 and later print there whenever the debug level is not 0 ("Connecting
# to card in reader ...", "Using card driver ..."), --raw or not. Only the
# first two lines are looked at: a value further down is never touched.
#   tool_stdout FILE    prints the rest of FILE
tool_stdout() {
	sed '1,2{/^Connecting to card in reader .*\.\.\.$/d;/^Using card driver .*\.$/d}' "$1"
}
