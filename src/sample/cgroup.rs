//! Reading a container's memory and CPU straight from its cgroup files (v1 and v2).
//!
//! Where the files are is never guessed: the cgroup version and driver come from the engine
//! (`docker info`), the controllers' mount points from `/proc/self/mountinfo`, and the
//! directory from the container's full id and its cgroup parent. The parsing of every file is
//! pure and unit-tested from fixture strings; only [`ContainerCgroup`] touches the
//! filesystem, and it does no more than four small reads per sample.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::Reading;

/// The cgroup hierarchy the engine puts containers in (`docker info`: `CgroupVersion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupVersion {
    V1,
    V2,
}

impl CgroupVersion {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "1" => Some(Self::V1),
            "2" => Some(Self::V2),
            _ => None,
        }
    }
}

/// How the engine names container cgroups (`docker info`: `CgroupDriver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupDriver {
    /// `<mount>/<parent, default /docker>/<id>`.
    Cgroupfs,
    /// `<mount>/<expanded parent slice, default system.slice>/docker-<id>.scope`.
    Systemd,
}

impl CgroupDriver {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "cgroupfs" => Some(Self::Cgroupfs),
            "systemd" => Some(Self::Systemd),
            _ => None,
        }
    }
}

/// Where the hierarchies this module reads are mounted on this host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mounts {
    /// v1 `memory` controller.
    pub memory_v1: Option<PathBuf>,
    /// v1 `cpuacct` controller (often co-mounted with `cpu` as `cpu,cpuacct`).
    pub cpuacct_v1: Option<PathBuf>,
    /// The unified (v2) hierarchy.
    pub unified: Option<PathBuf>,
}

impl Mounts {
    /// Reads this process's mount table.
    pub fn of_this_host() -> io::Result<Self> {
        Ok(Self::parse_mountinfo(&std::fs::read_to_string(
            "/proc/self/mountinfo",
        )?))
    }

    /// Parses `/proc/<pid>/mountinfo` (see proc(5)): the mount point is field 5, the
    /// filesystem type follows the ` - ` separator, and the super options after it name the v1
    /// controllers.
    pub fn parse_mountinfo(text: &str) -> Self {
        let mut mounts = Self::default();
        for line in text.lines() {
            let Some((before, after)) = line.split_once(" - ") else {
                continue;
            };
            let Some(mount_point) = before.split_whitespace().nth(4) else {
                continue;
            };
            let mut after = after.split_whitespace();
            let fs_type = after.next().unwrap_or_default();
            let super_options = after.nth(1).unwrap_or_default();
            let path = PathBuf::from(unescape_mount_path(mount_point));
            match fs_type {
                "cgroup2" => {
                    mounts.unified.get_or_insert(path);
                }
                "cgroup" => {
                    for option in super_options.split(',') {
                        match option {
                            "memory" => {
                                mounts.memory_v1.get_or_insert_with(|| path.clone());
                            }
                            "cpuacct" => {
                                mounts.cpuacct_v1.get_or_insert_with(|| path.clone());
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        mounts
    }
}

/// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
fn unescape_mount_path(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && let Some(code) = bytes
                .get(i + 1..i + 4)
                .and_then(|digits| std::str::from_utf8(digits).ok())
                .and_then(|digits| u8::from_str_radix(digits, 8).ok())
        {
            out.push(code);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The engine's cgroup layout on this host: enough to find any container's directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub version: CgroupVersion,
    pub driver: CgroupDriver,
    pub mounts: Mounts,
}

/// A container's cgroup directories: memory and CPU are the same directory on v2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerDirs {
    pub memory: PathBuf,
    pub cpu: PathBuf,
}

impl Layout {
    /// The directories of the container with this full id. `cgroup_parent` is the container's
    /// `HostConfig.CgroupParent` (empty when the engine's default applies).
    pub fn container_dirs(
        &self,
        full_id: &str,
        cgroup_parent: &str,
    ) -> Result<ContainerDirs, String> {
        let relative = relative_dir(self.driver, full_id, cgroup_parent);
        match self.version {
            CgroupVersion::V1 => {
                let memory = self.mounts.memory_v1.as_ref().ok_or(
                    "the engine reports cgroup v1 but no v1 memory controller is mounted here",
                )?;
                let cpu = self.mounts.cpuacct_v1.as_ref().ok_or(
                    "the engine reports cgroup v1 but no v1 cpuacct controller is mounted here",
                )?;
                Ok(ContainerDirs {
                    memory: memory.join(&relative),
                    cpu: cpu.join(&relative),
                })
            }
            CgroupVersion::V2 => {
                let unified = self.mounts.unified.as_ref().ok_or(
                    "the engine reports cgroup v2 but no cgroup2 hierarchy is mounted here",
                )?;
                let dir = unified.join(&relative);
                Ok(ContainerDirs {
                    memory: dir.clone(),
                    cpu: dir,
                })
            }
        }
    }

    /// The directory every container's memory directory lives under by default: it must be
    /// readable for the cgroup method to be usable at all.
    pub fn memory_root(&self) -> Option<&Path> {
        match self.version {
            CgroupVersion::V1 => self.mounts.memory_v1.as_deref(),
            CgroupVersion::V2 => self.mounts.unified.as_deref(),
        }
    }
}

/// The container's directory relative to the hierarchy's mount point, as runc names it.
fn relative_dir(driver: CgroupDriver, full_id: &str, cgroup_parent: &str) -> PathBuf {
    match driver {
        CgroupDriver::Cgroupfs => {
            let parent = cgroup_parent.trim_matches('/');
            let parent = if parent.is_empty() { "docker" } else { parent };
            PathBuf::from(parent).join(full_id)
        }
        CgroupDriver::Systemd => {
            let slice = if cgroup_parent.is_empty() {
                "system.slice"
            } else {
                cgroup_parent
            };
            expand_slice(slice).join(format!("docker-{full_id}.scope"))
        }
    }
}

/// systemd nests slices by their dash-separated prefixes: `a-b.slice` lives at
/// `a.slice/a-b.slice` (systemd.slice(5)); `-.slice` is the root.
fn expand_slice(slice: &str) -> PathBuf {
    let name = slice.strip_suffix(".slice").unwrap_or(slice);
    if name.is_empty() || name == "-" {
        return PathBuf::new();
    }
    let mut path = PathBuf::new();
    let mut prefix = String::new();
    for part in name.split('-') {
        if !prefix.is_empty() {
            prefix.push('-');
        }
        prefix.push_str(part);
        path.push(format!("{prefix}.slice"));
    }
    path
}

/// One value of a flat keyed file (`memory.stat`, `cpu.stat`): `key value` per line.
pub fn keyed_value(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(' ')?;
        (name == key).then(|| value.trim().parse().ok()).flatten()
    })
}

/// A single-value file (`memory.usage_in_bytes`, `cpuacct.usage`, `memory.current`).
pub fn single_value(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// What one sample of a v1 cgroup reads, parsed: `memory.usage_in_bytes`, `memory.stat`,
/// `cpuacct.usage` (nanoseconds of user + system time), `memory.max_usage_in_bytes`.
pub fn reading_v1(
    usage: &str,
    stat: &str,
    cpuacct_usage_ns: &str,
    max_usage: Option<&str>,
) -> Option<Reading> {
    let usage_bytes = single_value(usage)?;
    // Hierarchical: the container's processes may sit in child cgroups.
    let inactive_file = keyed_value(stat, "total_inactive_file")?;
    Some(Reading {
        usage_bytes,
        working_set_bytes: usage_bytes.saturating_sub(inactive_file),
        kernel_peak_bytes: max_usage.and_then(single_value),
        cpu_usec: single_value(cpuacct_usage_ns)? / 1_000,
    })
}

/// What one sample of a v2 cgroup reads, parsed: `memory.current`, `memory.stat`,
/// `cpu.stat` (`usage_usec` = user + system), `memory.peak` (Linux ≥ 5.19).
pub fn reading_v2(
    current: &str,
    stat: &str,
    cpu_stat: &str,
    peak: Option<&str>,
) -> Option<Reading> {
    let usage_bytes = single_value(current)?;
    let inactive_file = keyed_value(stat, "inactive_file")?;
    Some(Reading {
        usage_bytes,
        working_set_bytes: usage_bytes.saturating_sub(inactive_file),
        kernel_peak_bytes: peak.and_then(single_value),
        cpu_usec: keyed_value(cpu_stat, "usage_usec")?,
    })
}

/// An open handle on one container's cgroup: reads a sample, resets the kernel's peak.
///
/// Files are opened once and re-read with `pread` at offset 0 (the kernel regenerates a
/// cgroup file's content on every read from the start), which halves the system calls of a
/// sample compared with open/read/close each time.
pub struct ContainerCgroup {
    version: CgroupVersion,
    usage: File,
    stat: File,
    cpu: File,
    /// Opened read-write: writing resets it (v1 `0`; v2 any string, Linux ≥ 6.12, and then
    /// only for reads through this same descriptor, which is why it stays open).
    peak: Option<File>,
}

impl ContainerCgroup {
    /// Opens the container's files; fails (NotFound) while the container has no cgroup yet or
    /// after it is gone.
    pub fn open(version: CgroupVersion, dirs: &ContainerDirs) -> io::Result<Self> {
        let (usage, stat, cpu, peak) = match version {
            CgroupVersion::V1 => (
                "memory.usage_in_bytes",
                "memory.stat",
                "cpuacct.usage",
                "memory.max_usage_in_bytes",
            ),
            CgroupVersion::V2 => ("memory.current", "memory.stat", "cpu.stat", "memory.peak"),
        };
        let peak_path = dirs.memory.join(peak);
        let peak = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&peak_path)
            .or_else(|_| File::open(&peak_path))
            .ok();
        Ok(Self {
            version,
            usage: File::open(dirs.memory.join(usage))?,
            stat: File::open(dirs.memory.join(stat))?,
            cpu: File::open(dirs.cpu.join(cpu))?,
            peak,
        })
    }

    /// One sample. An error means the cgroup is gone (the container exited).
    pub fn read(&mut self) -> io::Result<Reading> {
        let usage = read_text(&self.usage)?;
        let stat = read_text(&self.stat)?;
        let cpu = read_text(&self.cpu)?;
        let peak = self.peak.as_ref().and_then(|file| read_text(file).ok());
        let reading = match self.version {
            CgroupVersion::V1 => reading_v1(&usage, &stat, &cpu, peak.as_deref()),
            CgroupVersion::V2 => reading_v2(&usage, &stat, &cpu, peak.as_deref()),
        };
        reading.ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "unexpected cgroup file content")
        })
    }

    /// Resets the kernel's high-water mark to the current usage. Fails where the kernel does
    /// not allow it (v2 before Linux 6.12, or no write permission).
    pub fn reset_peak(&mut self) -> io::Result<()> {
        let file = self
            .peak
            .as_mut()
            .ok_or_else(|| io::Error::new(io::ErrorKind::Unsupported, "no peak file"))?;
        let value: &[u8] = match self.version {
            CgroupVersion::V1 => b"0",
            CgroupVersion::V2 => b"reset",
        };
        file.write_all(value)
    }
}

/// Reads a whole cgroup file from offset 0 and returns it as text.
fn read_text(file: &File) -> io::Result<String> {
    let mut content = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = file.read_at(&mut chunk, content.len() as u64)?;
        if n == 0 {
            break;
        }
        content.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(content).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO_V1_SPLIT: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    const MOUNTINFO_V1_COMOUNTED: &str = "\
25 24 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct
31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
";

    const MOUNTINFO_V2: &str = "\
22 1 259:1 / / rw,relatime shared:1 - ext4 /dev/root rw
26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
";

    const ID: &str = "aeeb19f1c85354c91339756ed387c251e633e8739adb29989bb0e483042f11e3";

    #[test]
    fn mountinfo_finds_split_v1_controllers_and_the_hybrid_unified_mount() {
        let mounts = Mounts::parse_mountinfo(MOUNTINFO_V1_SPLIT);
        assert_eq!(
            mounts.memory_v1.as_deref(),
            Some(Path::new("/sys/fs/cgroup/memory"))
        );
        assert_eq!(
            mounts.cpuacct_v1.as_deref(),
            Some(Path::new("/sys/fs/cgroup/cpuacct"))
        );
        assert_eq!(
            mounts.unified.as_deref(),
            Some(Path::new("/sys/fs/cgroup/unified"))
        );
    }

    #[test]
    fn mountinfo_finds_cpuacct_comounted_with_cpu() {
        let mounts = Mounts::parse_mountinfo(MOUNTINFO_V1_COMOUNTED);
        assert_eq!(
            mounts.cpuacct_v1.as_deref(),
            Some(Path::new("/sys/fs/cgroup/cpu,cpuacct"))
        );
        assert_eq!(mounts.unified, None);
    }

    #[test]
    fn mountinfo_unescapes_spaces_in_mount_points() {
        let mounts =
            Mounts::parse_mountinfo("26 22 0:23 / /mnt/my\\040cgroup rw - cgroup2 cgroup2 rw\n");
        assert_eq!(mounts.unified.as_deref(), Some(Path::new("/mnt/my cgroup")));
    }

    fn layout(version: CgroupVersion, driver: CgroupDriver, mountinfo: &str) -> Layout {
        Layout {
            version,
            driver,
            mounts: Mounts::parse_mountinfo(mountinfo),
        }
    }

    #[test]
    fn v1_cgroupfs_dirs_are_under_docker_in_each_controller() {
        let dirs = layout(
            CgroupVersion::V1,
            CgroupDriver::Cgroupfs,
            MOUNTINFO_V1_SPLIT,
        )
        .container_dirs(ID, "")
        .unwrap();
        assert_eq!(
            dirs.memory,
            Path::new("/sys/fs/cgroup/memory/docker").join(ID)
        );
        assert_eq!(
            dirs.cpu,
            Path::new("/sys/fs/cgroup/cpuacct/docker").join(ID)
        );
    }

    #[test]
    fn v1_systemd_dirs_are_scopes_in_system_slice() {
        let dirs = layout(
            CgroupVersion::V1,
            CgroupDriver::Systemd,
            MOUNTINFO_V1_COMOUNTED,
        )
        .container_dirs(ID, "")
        .unwrap();
        assert_eq!(
            dirs.cpu,
            Path::new("/sys/fs/cgroup/cpu,cpuacct/system.slice").join(format!("docker-{ID}.scope"))
        );
    }

    #[test]
    fn v2_cgroupfs_and_systemd_dirs() {
        let cgroupfs = layout(CgroupVersion::V2, CgroupDriver::Cgroupfs, MOUNTINFO_V2)
            .container_dirs(ID, "")
            .unwrap();
        assert_eq!(cgroupfs.memory, Path::new("/sys/fs/cgroup/docker").join(ID));
        assert_eq!(cgroupfs.cpu, cgroupfs.memory);
        let systemd = layout(CgroupVersion::V2, CgroupDriver::Systemd, MOUNTINFO_V2)
            .container_dirs(ID, "")
            .unwrap();
        assert_eq!(
            systemd.memory,
            Path::new("/sys/fs/cgroup/system.slice").join(format!("docker-{ID}.scope"))
        );
    }

    #[test]
    fn custom_cgroup_parents_are_honoured() {
        let cgroupfs = layout(CgroupVersion::V2, CgroupDriver::Cgroupfs, MOUNTINFO_V2)
            .container_dirs(ID, "/bench/")
            .unwrap();
        assert_eq!(cgroupfs.memory, Path::new("/sys/fs/cgroup/bench").join(ID));
        let systemd = layout(CgroupVersion::V2, CgroupDriver::Systemd, MOUNTINFO_V2)
            .container_dirs(ID, "rtde-bench.slice")
            .unwrap();
        assert_eq!(
            systemd.memory,
            Path::new("/sys/fs/cgroup/rtde.slice/rtde-bench.slice")
                .join(format!("docker-{ID}.scope"))
        );
    }

    #[test]
    fn a_missing_hierarchy_is_an_error_not_a_guess() {
        let err = layout(
            CgroupVersion::V2,
            CgroupDriver::Cgroupfs,
            MOUNTINFO_V1_COMOUNTED,
        )
        .container_dirs(ID, "")
        .unwrap_err();
        assert!(err.contains("cgroup2"), "{err}");
        let err = layout(CgroupVersion::V1, CgroupDriver::Cgroupfs, MOUNTINFO_V2)
            .container_dirs(ID, "")
            .unwrap_err();
        assert!(err.contains("memory"), "{err}");
    }

    // Read off this machine (kernel 6.18, cgroup v1) for an idle busybox container.
    const MEMORY_STAT_V1: &str = "\
cache 733184
rss 40960
inactive_file 733184
active_file 0
total_cache 733184
total_rss 40960
total_inactive_anon 36864
total_active_anon 4096
total_inactive_file 700000
total_active_file 0
";

    #[test]
    fn v1_working_set_subtracts_the_hierarchical_inactive_file() {
        let reading =
            reading_v1("2000000\n", MEMORY_STAT_V1, "38362507\n", Some("3000000\n")).unwrap();
        assert_eq!(reading.usage_bytes, 2_000_000);
        assert_eq!(reading.working_set_bytes, 1_300_000);
        assert_eq!(reading.kernel_peak_bytes, Some(3_000_000));
        assert_eq!(reading.cpu_usec, 38_362);
    }

    #[test]
    fn working_set_never_goes_below_zero() {
        let reading = reading_v1("500000\n", MEMORY_STAT_V1, "0\n", None).unwrap();
        assert_eq!(reading.working_set_bytes, 0);
        assert_eq!(reading.kernel_peak_bytes, None);
    }

    const MEMORY_STAT_V2: &str = "\
anon 268435456
file 10485760
kernel 1048576
shmem 0
active_anon 268435456
inactive_anon 0
active_file 2097152
inactive_file 8388608
";

    const CPU_STAT_V2: &str = "\
usage_usec 2003456
user_usec 1990000
system_usec 13456
nr_periods 0
";

    #[test]
    fn v2_reading_uses_inactive_file_and_usage_usec() {
        let reading = reading_v2(
            "280000000\n",
            MEMORY_STAT_V2,
            CPU_STAT_V2,
            Some("300000000\n"),
        )
        .unwrap();
        assert_eq!(reading.usage_bytes, 280_000_000);
        assert_eq!(reading.working_set_bytes, 280_000_000 - 8_388_608);
        assert_eq!(reading.kernel_peak_bytes, Some(300_000_000));
        assert_eq!(reading.cpu_usec, 2_003_456);
    }

    #[test]
    fn keys_match_whole_names_only() {
        // `total_inactive_file` must not satisfy a lookup of `inactive_file`.
        assert_eq!(
            keyed_value("total_inactive_file 5\ninactive_file 7\n", "inactive_file"),
            Some(7)
        );
        assert_eq!(
            keyed_value("total_inactive_file 5\n", "inactive_file"),
            None
        );
    }

    #[test]
    fn truncated_files_give_no_reading() {
        assert!(reading_v2("", MEMORY_STAT_V2, CPU_STAT_V2, None).is_none());
        assert!(reading_v2("1\n", "anon 1\n", CPU_STAT_V2, None).is_none());
        assert!(reading_v1("1\n", MEMORY_STAT_V1, "not a number", None).is_none());
    }
}
