# Builds and caches what the VMs boot, keyed by kernel version, under $VMLAB_CACHE (default
# /var/cache/wirelink-vmlab): <kver>/vmlinuz, <kver>/root (the unpacked package, depmod'ed), <kver>/initrd.gz and
# <kver>/systemd-<hash>.img. Each is built in a temporary directory and renamed into place, under a lock.
# shellcheck shell=bash

cache_root=${VMLAB_CACHE:-/var/cache/wirelink-vmlab}
build_tmp=""

# the Debian kernel the lab boots: $VMLAB_KVER, else what linux-image-amd64 depends on (6.1.0-N-amd64 on bookworm)
kernel_version() {
  if [ -n "${VMLAB_KVER:-}" ]; then echo "$VMLAB_KVER"; return; fi
  if [ -z "${_kver:-}" ]; then
    _kver=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
    if [ -z "$_kver" ]; then
      apt-get update -qq >&2 || true
      _kver=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
    fi
    [ -n "$_kver" ] || die "cannot tell which kernel linux-image-amd64 names (set VMLAB_KVER)"
  fi
  echo "$_kver"
}

kernel_dir() { echo "$cache_root/$(kernel_version)"; }

# unmounts whatever is left mounted under a build directory (debootstrap mounts /proc and /sys in its target)
build_cleanup() {
  [ -n "$build_tmp" ] || return 0
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v p="$build_tmp/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r)
  rm -rf "$build_tmp"
  build_tmp=""
}

with_lock() {
  mkdir -p "$cache_root"
  exec 9>"$cache_root/.lock"
  flock 9
}

# the modules loaded by the initramfs, in load order (dependencies first): virtio, 9p and overlay for the host root,
# virtio_blk and ext4 for a disk image
initrd_modules() {
  local root=$1 kver=$2 m
  for m in virtio_pci 9pnet_virtio 9p overlay virtio_blk crc32c_generic ext4 virtio_rng; do
    modprobe -d "$root" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
  done | awk '!seen[$0]++'
}

ensure_kernel() {
  local kver dir; kver=$(kernel_version); dir=$(kernel_dir)
  [ -f "$dir/initrd.gz" ] && return 0
  with_lock
  if [ -f "$dir/initrd.gz" ]; then flock -u 9; return 0; fi
  local t0=$SECONDS
  echo "vmlab: building the kernel and initramfs for $kver in $dir" >&2
  command -v depmod >/dev/null || die "depmod missing (apt-get install kmod)"
  [ -x /bin/busybox ] || die "busybox missing (apt-get install busybox-static)"
  build_tmp=$(mktemp -d "$cache_root/.build.XXXXXX")
  ( cd "$build_tmp" && apt-get download -o APT::Sandbox::User=root "linux-image-$kver" >/dev/null ) \
    || die "apt-get download linux-image-$kver failed"
  mkdir -p "$build_tmp/k"
  dpkg -x "$build_tmp"/linux-image-*.deb "$build_tmp/k/root"
  rm -f "$build_tmp"/linux-image-*.deb
  depmod -b "$build_tmp/k/root" "$kver"
  cp "$build_tmp/k/root/boot/vmlinuz-$kver" "$build_tmp/k/vmlinuz"

  local ird=$build_tmp/initrd m
  mkdir -p "$ird"/{bin,dev,proc,sys,mods,ro,rw,newroot}
  cp /bin/busybox "$ird/bin/busybox"
  for m in $(initrd_modules "$build_tmp/k/root" "$kver"); do
    cp "$m" "$ird/mods/"
    basename "$m" >> "$ird/mods/order"
  done
  cp "$here/guest/initramfs-init" "$ird/init"
  chmod +x "$ird/init"
  ( cd "$ird" && find . | cpio -o -H newc --quiet | gzip -6 ) > "$build_tmp/k/initrd.gz"
  mkdir -p "$cache_root"
  rm -rf "$dir"
  mv "$build_tmp/k" "$dir"
  build_cleanup
  flock -u 9
  echo "vmlab: kernel $kver and initramfs built in $((SECONDS - t0)) s" >&2
}

# the Debian mirror debootstrap uses: $VMLAB_MIRROR, else the first "URIs:" of the apt sources for the main suite
debian_mirror() {
  if [ -n "${VMLAB_MIRROR:-}" ]; then echo "$VMLAB_MIRROR"; return; fi
  local m=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    m=$(awk '/^URIs:/ {u=$2} /^Suites:/ && $0 !~ /-security/ && u != "" {print u; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(awk '$1 == "deb" && $3 !~ /-security/ {print $2; exit}' /etc/apt/sources.list)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

image_packages="systemd,systemd-sysv,udev,dbus,openjdk-17-jre-headless,wireguard-tools,wireguard-go,iproute2,kmod,procps,iputils-ping,nftables"
# modules copied into the image: what networking, file systems and the virtio devices need (not sound, GPUs, ...)
image_module_dirs="kernel/arch kernel/block kernel/crypto kernel/fs kernel/lib kernel/mm kernel/net kernel/virt
  kernel/drivers/net kernel/drivers/virtio kernel/drivers/block kernel/drivers/char"

image_path() {
  local h
  h=$(cat <(echo "$image_packages") "$here/guest/image-setup" | sha256sum | cut -c1-10)
  echo "$(kernel_dir)/systemd-$h.img"
}

ensure_image() {
  local img kver; img=$(image_path); kver=$(kernel_version)
  if [ ! -f "$img" ]; then
    with_lock
    if [ ! -f "$img" ]; then build_image "$img" "$kver"; fi
    flock -u 9
  fi
  echo "$img"
}

build_image() {
  local img=$1 kver=$2 t0=$SECONDS d suite
  command -v debootstrap >/dev/null || die "debootstrap missing (apt-get install debootstrap)"
  command -v mke2fs >/dev/null || die "mke2fs missing (apt-get install e2fsprogs)"
  suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  build_tmp=$(mktemp -d "$(kernel_dir)/.image.XXXXXX")
  local root=$build_tmp/root
  echo "vmlab: debootstrap $suite from $(debian_mirror) into $root" >&2
  debootstrap --variant=minbase --include="$image_packages" "$suite" "$root" "$(debian_mirror)" > "$build_tmp/debootstrap.log" 2>&1 \
    || { tail -n 30 "$build_tmp/debootstrap.log" >&2; die "debootstrap failed"; }
  build_cleanup_mounts "$root"
  for d in $image_module_dirs; do
    mkdir -p "$root/lib/modules/$kver/$(dirname "$d")"
    cp -a "$(kernel_dir)/root/lib/modules/$kver/$d" "$root/lib/modules/$kver/$d"
  done
  cp "$(kernel_dir)/root/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/"
  depmod -b "$root" "$kver"
  bash "$here/guest/image-setup" "$root"
  rm -f "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_Packages 2>/dev/null || true
  echo "vmlab: image tree $(du -sm "$root" | cut -f1) MB after $((SECONDS - t0)) s" >&2
  mke2fs -q -t ext4 -L vmlab -d "$root" "$build_tmp/root.img" "${VMLAB_IMAGE_SIZE:-2G}"
  mv "$build_tmp/root.img" "$img"
  build_cleanup
  echo "vmlab: systemd image built in $((SECONDS - t0)) s: $img" >&2
}

build_cleanup_mounts() {
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v p="$1/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r)
}
