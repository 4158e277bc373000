// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Helpers of the end-to-end tests: run the airy binary as a child process (to signal
/// it), wait for a run to reach a phase, and check that every file of a run directory is
/// whole: FITS, NetCDF, CmdStan CSV, TOML, PNG and PDF, with no temporary file left.
#pragma once

#include <cairo.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netcdf.h>
#include <sys/wait.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"

namespace airy::testing {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Exit code and output (stdout + stderr) of `airy <args>`.
struct CliResult {
  int code = -1;
  std::string output;
};

/// Runs `airy <args>` through the shell, waiting for it.
inline CliResult run_airy(const std::string& args) {
  const std::string cmd = std::string(AIRY_CLI_PATH) + " " + args + " 2>&1";
  CliResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) r.output += buffer;
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// The airy binary running as a child process, its stdout and stderr in `output_path`.
class AiryProcess {
 public:
  AiryProcess(const std::vector<std::string>& args, const std::string& output_path)
      : output_path_(output_path) {
    std::vector<std::string> argv = {AIRY_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      // As from a terminal, whatever the test runner ignores (a background job ignores
      // SIGINT, nohup SIGHUP): ignored dispositions survive exec and airy keeps them.
      for (int s : {SIGINT, SIGTERM, SIGHUP}) std::signal(s, SIG_DFL);
      const int fd = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      ::execv(raw[0], raw.data());
      ::_exit(127);
    }
  }
  ~AiryProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  AiryProcess(const AiryProcess&) = delete;
  AiryProcess& operator=(const AiryProcess&) = delete;

  void signal(int signo) const { ::kill(pid_, signo); }

  /// The exit code, or -1 (after SIGKILL) when it runs longer than `timeout_s`, or -2 when a
  /// signal ended it.
  int wait(double timeout_s) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > end) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        exited_ = true;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
  }
  [[nodiscard]] bool running() const { return !exited_ && ::kill(pid_, 0) == 0; }
  [[nodiscard]] std::string output() const { return slurp(output_path_); }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string output_path_;
};

/// Polls `ready` every 5 ms for up to `timeout_s` seconds.
inline bool wait_until(const std::function<bool()>& ready, double timeout_s) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < end) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

/// Whether run_info.toml in `dir` says `key = "value"`.
inline bool run_info_says(const fs::path& dir, const std::string& key, const std::string& value) {
  return slurp(dir / "run_info.toml").find(key + " = \"" + value + "\"") != std::string::npos;
}

/// Draw lines (not comments, not the header) of a CSV chain written so far.
inline int csv_draw_lines(const fs::path& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#' && line[0] != 'l') ++n;
  }
  return n;
}

/// NetCDF groups of a file that libnetcdf opens ("" on failure).
inline std::vector<std::string> netcdf_groups(const std::string& path) {
  int root = 0;
  if (nc_open(path.c_str(), NC_NOWRITE, &root) != NC_NOERR) return {"<unreadable>"};
  int n = 0;
  nc_inq_grps(root, &n, nullptr);
  std::vector<int> ids(static_cast<std::size_t>(n));
  nc_inq_grps(root, &n, ids.data());
  std::vector<std::string> names;
  for (int id : ids) {
    char name[NC_MAX_NAME + 1] = {};
    nc_inq_grpname(id, name);
    names.emplace_back(name);
  }
  nc_close(root);
  return names;
}

/// Checks every file of a run directory by its kind: FITS images read, NetCDF opens, CSV
/// chains parse and end with a newline, TOML parses, PNG decodes, PDF ends with %%EOF; no
/// temporary file of an atomic write is left. Returns the file names.
inline std::vector<std::string> expect_only_whole_files(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string f = entry.path().filename().string();
    const std::string p = entry.path().string();
    names.push_back(f);
    EXPECT_FALSE(f.starts_with(".") || f.find("tmp") != std::string::npos) << "left: " << f;
    if (f.ends_with(".fits")) {
      EXPECT_NO_THROW((void)io::read_fits(p)) << f;
    } else if (f.ends_with(".nc")) {
      EXPECT_NE(netcdf_groups(p).front(), "<unreadable>") << f;
    } else if (f.starts_with("chain_") && f.ends_with(".csv")) {
      EXPECT_NO_THROW((void)io::read_cmdstan_csv(p)) << f;
      EXPECT_TRUE(slurp(p).ends_with("\n")) << f << " ends mid-line";
    } else if (f.ends_with(".toml")) {
      EXPECT_NO_THROW((void)toml::parse_file(p)) << f;
    } else if (f.ends_with(".png")) {
      cairo_surface_t* s = cairo_image_surface_create_from_png(p.c_str());
      EXPECT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS) << f;
      cairo_surface_destroy(s);
    } else if (f.ends_with(".pdf")) {
      const std::string pdf = slurp(p);
      EXPECT_TRUE(pdf.starts_with("%PDF") && pdf.find("%%EOF") != std::string::npos) << f;
    } else if (f.ends_with(".csv") || f.ends_with(".txt")) {
      EXPECT_TRUE(slurp(p).ends_with("\n")) << f;
    }
  }
  return names;
}

}  // namespace airy::testing
