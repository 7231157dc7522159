#!/usr/bin/env bash
# Builds the Linux kernel initiator VM: a Debian kernel and an initramfs (static busybox,
# open-iscsi, mke2fs/e2fsck/resize2fs, sfdisk, fstrim, dmsetup, iscsi_tcp + virtio_net + ext4 +
# dm-multipath modules, tests/vm/init.sh as /init). Debian packages are fetched with
# `apt-get download` and unpacked, never installed.
#
# Everything large is cached OUTSIDE the repo in ${PLATTER_VM_CACHE:-~/.cache/platter-vm}:
#   debs/            the downloaded .debs
#   <key>/vmlinuz    the kernel          <key> = hash of the package versions, host binaries
#   <key>/initrd.img the initramfs                 and this script + init.sh
# A second run with the same key does nothing. The last lines on stdout are
#   VM-KERNEL=<path>  VM-INITRD=<path>  VM-KVER=<version>
# Needs (tests/run installs them): qemu-system-x86 cpio; e2fsprogs and util-linux (essential).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PLATTER_VM_CACHE:-${HOME:-/root}/.cache/platter-vm}
DEBS=$CACHE/debs
mkdir -p "$DEBS"
say() { echo "[vm-build] $*" >&2; }
die() { echo "[vm-build] ERROR: $*" >&2; exit 2; }
for c in cpio gzip dpkg-deb apt-get ldd mke2fs e2fsck resize2fs fstrim; do
    command -v "$c" >/dev/null || die "missing host tool $c"
done

# ---- which packages, which versions (the cache key)
kernel_pkg() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}
KPKG=${PLATTER_VM_KERNEL_PKG:-$(kernel_pkg)}
if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ]; then   # fresh machine: empty package lists
    say "apt-get update"; apt-get update -q >&2 || true
    KPKG=$(kernel_pkg)
fi
[ -n "$KPKG" ] || die "cannot resolve linux-image-cloud-amd64 (run apt-get update)"
# Guest user space from .debs. One apt-cache call for all versions (each call costs ~1 s).
PKGS=("$KPKG" busybox-static open-iscsi libopeniscsiusr libisns0 fdisk dmsetup)
declare -A VER=()
while read -r p v; do VER[$p]=$v; done < <(apt-cache policy "${PKGS[@]}" 2>/dev/null |
    awk '/^[^ ].*:$/ {p = substr($1, 1, length($1) - 1)} /Candidate:/ {print p, $2}')
for p in "${PKGS[@]}"; do
    [ -n "${VER[$p]:-}" ] && [ "${VER[$p]}" != "(none)" ] || die "no candidate version for $p (apt-get update?)"
done
KEY=$( { for p in "${PKGS[@]}"; do echo "$p=${VER[$p]}"; done
         dpkg-query -W e2fsprogs util-linux libc6
         cat "$HERE/build.sh" "$HERE/init.sh"; } | sha256sum | cut -c1-16)
OUT=$CACHE/$KEY
if [ -s "$OUT/initrd.img" ] && [ -s "$OUT/vmlinuz" ] && [ "${PLATTER_VM_REBUILD:-0}" != 1 ]; then
    say "up to date: $OUT"
else
    # ---- download + unpack
    STAGE=$CACHE/stage.$$
    rm -rf "$STAGE"; mkdir -p "$STAGE"
    trap 'rm -rf "$STAGE" "$OUT.tmp"' EXIT
    # Library dependencies (recursively) of the guest packages that the host does not have.
    installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
    queue=(open-iscsi libopeniscsiusr libisns0 fdisk dmsetup)
    while [ ${#queue[@]} -gt 0 ]; do
        p=${queue[0]}; queue=("${queue[@]:1}")
        for d in $(apt-cache depends "$p" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^lib/ {print $2}'); do
            [ -n "${VER[$d]:-}" ] && continue
            installed "$d" && continue
            VER[$d]=$(apt-cache policy "$d" | awk '/Candidate:/ {print $2; exit}'); PKGS+=("$d"); queue+=("$d")
        done
    done
    for p in "${PKGS[@]}"; do
        f=$(ls "$DEBS/${p}_${VER[$p]//:/%3a}_"*.deb 2>/dev/null | head -1 || true)
        if [ -z "$f" ]; then
            say "apt-get download $p=${VER[$p]}"
            (cd "$DEBS" && apt-get download -q "$p=${VER[$p]}" >&2 2>"$STAGE/apt.err") || { cat "$STAGE/apt.err" >&2; die "apt-get download $p failed"; }
            f=$(ls "$DEBS/${p}_${VER[$p]//:/%3a}_"*.deb | head -1)
        fi
        dpkg-deb -x "$f" "$STAGE/root"
    done
    SR=$STAGE/root
    KVER=$(ls "$SR/lib/modules" | head -1)
    MODDIR=$SR/lib/modules/$KVER
    [ -f "$SR/boot/vmlinuz-$KVER" ] || die "no vmlinuz in $KPKG"
    [ -f "$MODDIR/modules.dep" ] || "$SR/bin/busybox" depmod -b "$SR" "$KVER"

    I=$STAGE/initramfs
    mkdir -p "$I"/{bin,sbin,usr/bin,usr/sbin,lib/x86_64-linux-gnu,lib64,etc/iscsi,proc,sys,dev,run,tmp,mnt,var/lib/iscsi}
    cp "$SR/bin/busybox" "$I/bin/busybox"
    for a in $("$I/bin/busybox" --list-full); do
        [ -e "$I/$a" ] || ln -s /bin/busybox "$I/$a"
    done

    # ---- real binaries (in /usr/sbin, ahead of busybox in PATH) and their libraries
    LIBPATH=$SR/lib/x86_64-linux-gnu:$SR/usr/lib/x86_64-linux-gnu
    add_bin() {   # $1 = source path
        local name; name=$(basename "$1")
        cp -L "$1" "$I/usr/sbin/$name"
        local deps; deps=$(LD_LIBRARY_PATH=$LIBPATH ldd "$1")
        if echo "$deps" | grep -q 'not found'; then die "$1: $(echo "$deps" | grep 'not found' | tr -s ' \t' ' ')"; fi
        for lib in $(echo "$deps" | awk '$2 == "=>" && $3 ~ /^\// {print $3}'); do
            [ -e "$I/lib/x86_64-linux-gnu/$(basename "$lib")" ] || cp -L "$lib" "$I/lib/x86_64-linux-gnu/"
        done
    }
    for b in iscsid iscsiadm iscsistart; do add_bin "$SR/sbin/$b"; done
    add_bin "$SR/sbin/sfdisk"
    add_bin "$(ls "$SR/sbin/dmsetup" "$SR/usr/sbin/dmsetup" 2>/dev/null | head -1)"
    for b in mke2fs e2fsck resize2fs fstrim; do add_bin "$(command -v $b)"; done
    cp -L /lib64/ld-linux-x86-64.so.2 "$I/lib64/"
    ln -s mke2fs "$I/usr/sbin/mkfs.ext4"; ln -s e2fsck "$I/usr/sbin/fsck.ext4"
    [ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$I/etc/"

    # ---- kernel modules, dependencies first (modules.dep), built-ins skipped
    want="virtio_pci virtio_net crc16 crc32c_generic mbcache jbd2 ext4 scsi_transport_iscsi libiscsi libiscsi_tcp iscsi_tcp sd_mod
          dm-mod dm-multipath dm-round-robin"
    declare -A DONE=()
    : >"$STAGE/modules"
    add_mod() {   # $1 = path relative to MODDIR
        [ -n "${DONE[$1]:-}" ] && return 0
        DONE[$1]=1
        for d in $(awk -F': *' -v m="$1" '$1 == m {print $2}' "$MODDIR/modules.dep"); do add_mod "$d"; done
        mkdir -p "$I/lib/modules/$KVER/$(dirname "$1")"
        cp "$MODDIR/$1" "$I/lib/modules/$KVER/$1"
        echo "/lib/modules/$KVER/$1" >>"$STAGE/modules"
    }
    for m in $want; do
        rel=$(awk -F: -v a="/$m.ko" '{ n = $1; sub(/\.(xz|zst|gz)$/, "", n); if (substr(n, length(n) - length(a) + 1) == a) { print $1; exit } }' "$MODDIR/modules.dep")
        if [ -z "$rel" ]; then
            grep -q "/$m.ko\$" "$MODDIR/modules.builtin" || die "module $m neither built in nor in $KPKG"
            continue
        fi
        add_mod "$rel"
    done
    cp "$STAGE/modules" "$I/etc/vm-modules"

    # ---- open-iscsi configuration (node settings that matter are set per node by /init)
    cat >"$I/etc/iscsi/iscsid.conf" <<'CONF'
iscsid.startup = /bin/true
node.startup = manual
node.session.timeo.replacement_timeout = 120
node.conn[0].timeo.login_timeout = 15
node.conn[0].timeo.logout_timeout = 15
node.conn[0].timeo.noop_out_interval = 5
node.conn[0].timeo.noop_out_timeout = 10
node.session.err_timeo.abort_timeout = 15
node.session.err_timeo.lu_reset_timeout = 30
node.session.initial_login_retry_max = 8
node.session.cmds_max = 128
node.session.queue_depth = 32
node.session.iscsi.InitialR2T = No
node.session.iscsi.ImmediateData = Yes
node.session.iscsi.FirstBurstLength = 262144
node.session.iscsi.MaxBurstLength = 16776192
node.conn[0].iscsi.MaxRecvDataSegmentLength = 262144
node.session.scan = auto
CONF
    echo 'root:x:0:0:root:/:/bin/sh' >"$I/etc/passwd"
    echo 'root:x:0:' >"$I/etc/group"
    cp "$HERE/init.sh" "$I/init"; chmod 755 "$I/init"

    mkdir -p "$OUT.tmp"
    (cd "$I" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -6) >"$OUT.tmp/initrd.img"
    cp "$SR/boot/vmlinuz-$KVER" "$OUT.tmp/vmlinuz"
    echo "$KVER" >"$OUT.tmp/kver"
    rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
    say "built $OUT ($KVER, initrd $(du -h "$OUT/initrd.img" | cut -f1), $(wc -l <"$STAGE/modules") modules)"
    rm -rf "$STAGE"
    trap - EXIT
    # keep the two newest builds
    ls -1dt "$CACHE"/*/initrd.img 2>/dev/null | tail -n +3 | xargs -r -n1 dirname | xargs -r rm -rf
fi
echo "VM-KERNEL=$OUT/vmlinuz"
echo "VM-INITRD=$OUT/initrd.img"
echo "VM-KVER=$(cat "$OUT/kver")"
