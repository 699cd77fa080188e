// Reads an XDF file with libxdf (the reader SigViewer uses) and prints what libxdf made of it, one
// record a line, tab-separated, each line starting with '@' (libxdf prints its own timing lines to
// stdout too). Numbers are printed so they read back exactly: doubles with 17 significant digits,
// values as libxdf holds them (float) widened to double. Text has \ \t \n \r escaped.
//
//   @stream  <index> <name> <type> <channel_format> <channel_count> <nominal_srate> <samples>
//   @header  <index> <stream header XML>          (up to its </info>: libxdf keeps it unterminated)
//   @footer  <index> <stream footer XML>
//   @channel <index> <label> <unit> <type>
//   @offset  <index> <collection time> <offset value>
//   @sample  <index> <time stamp> <value>...       (numeric streams, time stamps after libxdf's sync)
//   @event   <index> <time stamp> <text>           (string streams, libxdf's eventMap)
//   @end

#include <xdf.h>

#include <cstdio>
#include <string>

static std::string esc(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '\\': out += "\\\\"; break;
    case '\t': out += "\\t"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    default: out += c;
    }
  }
  return out;
}

static std::string upToInfoEnd(const std::string &xml) {
  const std::string end = "</info>";
  const auto at = xml.find(end);
  return at == std::string::npos ? xml : xml.substr(0, at + end.size());
}

static std::string entry(const std::map<std::string, std::string> &m, const char *key) {
  const auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: read-xdf <file.xdf>\n");
    return 2;
  }
  Xdf xdf;
  if (xdf.load_xdf(argv[1]) != 0) {
    std::fprintf(stderr, "libxdf could not load %s\n", argv[1]);
    return 1;
  }
  std::fflush(stdout);
  for (size_t i = 0; i < xdf.streams.size(); i++) {
    const Xdf::Stream &s = xdf.streams[i];
    std::printf("@stream\t%zu\t%s\t%s\t%s\t%d\t%.17g\t%zu\n", i, esc(s.info.name).c_str(), esc(s.info.type).c_str(),
                esc(s.info.channel_format).c_str(), s.info.channel_count, s.info.nominal_srate, s.time_stamps.size());
    std::printf("@header\t%zu\t%s\n", i, esc(upToInfoEnd(s.streamHeader)).c_str());
    std::printf("@footer\t%zu\t%s\n", i, esc(upToInfoEnd(s.streamFooter)).c_str());
    for (const auto &c : s.info.channels)
      std::printf("@channel\t%zu\t%s\t%s\t%s\n", i, esc(entry(c, "label")).c_str(), esc(entry(c, "unit")).c_str(),
                  esc(entry(c, "type")).c_str());
    for (size_t k = 0; k < s.clock_times.size(); k++)
      std::printf("@offset\t%zu\t%.17g\t%.17g\n", i, s.clock_times[k], s.clock_values[k]);
    for (size_t m = 0; m < s.time_stamps.size(); m++) {
      std::printf("@sample\t%zu\t%.17g", i, s.time_stamps[m]);
      for (const auto &channel : s.time_series) std::printf("\t%.17g", static_cast<double>(channel[m]));
      std::printf("\n");
    }
  }
  for (const auto &e : xdf.eventMap)
    std::printf("@event\t%d\t%.17g\t%s\n", e.second, e.first.second, esc(e.first.first).c_str());
  std::printf("@end\n");
  return 0;
}
