#!/usr/bin/env bash
# Boots the Linux kernel initiator VM (QEMU TCG, no KVM) with the settings in CONF (shell
# assignments such as VM_PORT=3260 VM_IQN=... VM_SCENARIO=basic, see init.sh). The serial
# console goes to stdout; the guest ends with "VM-RESULT: PASS|FAIL ..." and powers off.
#
#   usage: tests/vm/run.sh CONF        (builds the kernel and initramfs first if needed)
#   env:   VM_TIMEOUT (s, default 300), VM_MEM (MiB, default 1024), PLATTER_VM_CACHE
# Exit: QEMU's (0 after a power-off), 124 on timeout, 2 on a setup error. PASS/FAIL is read
# from the console, not from the exit code.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# = 1 ] && [ -f "$1" ] || { sed -n '2,8p' "$0" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "run.sh: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 2; }
eval "$("$HERE/build.sh" | grep '^VM-' | sed 's/^VM-\([A-Z]*\)=/VM_\1=/')"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/platter-vm.XXXXXX")
QPID=
cleanup() { [ -n "$QPID" ] && kill "$QPID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 143' TERM INT

# Per-run settings (CHAP secrets among them) travel in a second cpio, not on the command line.
mkdir -p "$WORK/conf/etc"
cp "$1" "$WORK/conf/etc/vm.conf"
(cd "$WORK/conf" && printf 'etc\netc/vm.conf\n' | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$WORK/conf.gz"
cat "$VM_INITRD" "$WORK/conf.gz" >"$WORK/initrd.img"

echo "[vm] kernel $VM_KVER, qemu $(qemu-system-x86_64 --version | head -n 1 | awk '{print $4}')"
timeout -k 5 "${VM_TIMEOUT:-300}" qemu-system-x86_64 -nodefaults -no-user-config -machine pc,accel=tcg \
    -smp 1 -m "${VM_MEM:-1024}" -display none -monitor none -serial stdio -no-reboot \
    -kernel "$VM_KERNEL" -initrd "$WORK/initrd.img" \
    -append "console=ttyS0,115200 panic=-1 loglevel=4 no_timer_check" \
    -netdev user,id=n0,ipv6=off -device virtio-net-pci,netdev=n0,romfile= </dev/null &
QPID=$!
set +e
wait "$QPID"; rc=$?
QPID=
exit $rc
