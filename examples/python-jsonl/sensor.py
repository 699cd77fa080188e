# An example Plexus Bench plugin in Python (standard library only).
# Every line printed to stdout is one reading: a JSON object, e.g. {"temperature_c": 21.4}.
# Commands from the Plexus platform arrive on stdin, one JSON object per line, and are answered
# on stdout. Anything printed to stderr (errors, print(..., file=sys.stderr)) goes to the plugin's log.
import json, math, os, random, sys, threading, time

config = json.loads(os.environ.get("PLEXUS_PLUGIN_CONFIG") or "{}")  # the settings from the window
rate_hz = float(config.get("rate_hz", 5))
offset = 0.0  # added to the temperature; changed by the set_offset command
lock = threading.Lock()  # two threads print: one line at a time


def send(message):
    with lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()  # at once, not when Python's buffer is full


def answer_commands():
    # Each command: {"type": "command", "id": "...", "command": "set_offset", "params": {"celsius": 1.5}}
    global offset
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            continue  # not JSON: ignore it
        if msg.get("type") != "command":
            continue
        reply = {"type": "command_result", "id": msg["id"]}  # same id: that is how the answer is matched
        if msg["command"] == "set_offset":
            try:
                offset = float(msg["params"]["celsius"])
                reply["result"] = {"offset_c": offset}  # any JSON value: shown as the command's result
            except (KeyError, TypeError, ValueError):
                reply["error"] = "set_offset needs the parameter celsius, a number"  # shown as its error
        else:
            reply["error"] = "unknown command: %s" % msg["command"]
        send(reply)


threading.Thread(target=answer_commands, daemon=True).start()

while True:
    t = time.time()
    send({
        "temperature_c": round(22 + math.sin(t / 60) + random.gauss(0, 0.05) + offset, 2),
        "humidity_pct": round(45 + 3 * math.sin(t / 300) + random.gauss(0, 0.2), 1),
    })
    time.sleep(1 / rate_hz)
