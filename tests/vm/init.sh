#!/bin/sh
# /init of the Linux kernel initiator VM (busybox ash as PID 1). The kernel's iSCSI initiator
# (iscsi_tcp + open-iscsi iscsid/iscsiadm) logs into a target on the host's 127.0.0.1:VM_PORT,
# which QEMU's user network shows to the guest as 10.0.2.2, and runs one scenario on the LUN.
#
# Settings come from /etc/vm.conf (a second cpio appended by run.sh):
#   VM_PORT VM_IQN VM_SCENARIO(basic|discard|restart|chap|resize|multipath) VM_MB VM_INITIATOR
#   VM_GROW_MB VM_MORE_MB (resize: the size the host grows the LUN to, MiB written after it)
#   VM_PORT_B (multipath: the second path's port, a relay the host cuts)
#   VM_CHAP_USER VM_CHAP_PASS VM_CHAP_USER_IN VM_CHAP_PASS_IN VM_CHAP_BAD_PASS
# Console lines read by the host (LinuxInitiatorVm):
#   VM: <progress>          VM-TIME <mark> <uptime>       VM-INFO: <key>=<value>
#   VM-EVENT: <name>        the host acts (restart the target, measure the image) while we wait
#   VM-RESULT: PASS | VM-RESULT: FAIL <reason>, then the VM powers off
PATH=/usr/sbin:/usr/bin:/sbin:/bin
LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
export PATH LD_LIBRARY_PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mkdir -p /run/lock/iscsi /etc/iscsi/nodes /etc/iscsi/send_targets
exec </dev/console >/dev/console 2>&1

up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "VM: [$(up)] $*"; }
mark() { echo "VM-TIME $1 $(up)"; }
info() { echo "VM-INFO: $1=$2"; }
mark init

VM_PORT=3260 VM_IQN= VM_SCENARIO=basic VM_MB=96 VM_INITIATOR=iqn.2026-11.io.platter:vm-initiator
VM_CHAP_USER= VM_CHAP_PASS= VM_CHAP_USER_IN= VM_CHAP_PASS_IN= VM_CHAP_BAD_PASS=
VM_DISC_USER= VM_DISC_PASS=
VM_GROW_MB=0 VM_MORE_MB=0 VM_PORT_B=0
. /etc/vm.conf
HOST=10.0.2.2
PORTAL=$HOST:$VM_PORT

bye() {
    sync
    umount /mnt 2>/dev/null
    mark end
    poweroff -f
}
fail() {
    say "FAILED: $*"
    for s in /sys/class/iscsi_session/session*; do
        [ -e "$s" ] && echo "VM-DIAG: $(basename "$s") state=$(cat "$s/state")"
    done
    [ -f /run/iscsid.log ] && tail -n 30 /run/iscsid.log | sed 's/^/VM-ISCSID: /'
    dmesg | tail -n 30 | sed 's/^/VM-DMESG: /'
    echo "VM-RESULT: FAIL $*"
    bye
}
kernel_notes() {  # storage messages worth reading even when everything passed
    dmesg | grep -iE 'conn error|recovery|I/O error|EXT4-fs (error|warning)|timed out|abort|Sense Key|offline|discard|unmap' \
        | tail -n 30 | sed 's/^/VM-KERNEL: /'
}

# ---- modules, network
for m in $(cat /etc/vm-modules); do insmod "$m" || fail "insmod $m"; done
# libslirp has no TCP window scaling; with open-iscsi's default socket buffer the guest may
# advertise a zero window during big reads and slirp only probes again after ~5 s. A 4 MiB
# buffer (node.conn[0].tcp.window_size below) avoids those stalls.
echo 8388608 >/proc/sys/net/core/rmem_max
echo 8388608 >/proc/sys/net/core/wmem_max
ip link set lo up
i=0; while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 || fail "network"
mark net
say "kernel $(uname -r); target $VM_IQN at $PORTAL; scenario $VM_SCENARIO"

# ---- iSCSI
echo "InitiatorName=$VM_INITIATOR" >/etc/iscsi/initiatorname.iscsi
iscsid -f >>/run/iscsid.log 2>&1 &
i=0
until iscsiadm -m session >/dev/null 2>&1 || [ $? = 21 ]; do   # 21: no sessions, iscsid answers
    i=$((i + 1)); [ $i -lt 50 ] || fail "iscsid did not start"; sleep 0.2
done

node() { iscsiadm -m node -T "$VM_IQN" -p "$PORTAL" "$@"; }
set_node() { node -o update -n "$1" -v "$2" >/dev/null || fail "iscsiadm update $1"; }

discover() {
    # The portal the target reports is its own view (127.0.0.1:PORT), unreachable from here:
    # only the name is checked and the node record points at 10.0.2.2.
    if [ -n "$VM_DISC_USER" ]; then
        # Without the discovery secret the target must not be listed (it may refuse the session).
        iscsiadm -m discovery -t sendtargets -p "$PORTAL" -o nonpersistent >/tmp/disc0 2>&1
        if grep -q " $VM_IQN\$" /tmp/disc0; then info unauthenticated_listed 1; else info unauthenticated_listed 0; fi
        # Discovery CHAP (discovery.sendtargets.auth.*), as an administrator sets it up.
        dbu() { iscsiadm -m discoverydb -t sendtargets -p "$PORTAL" -o update -n "$1" -v "$2" >/dev/null \
            || fail "iscsiadm discoverydb update $1"; }
        iscsiadm -m discoverydb -t sendtargets -p "$PORTAL" -o new >/dev/null || fail "discoverydb new"
        dbu discovery.sendtargets.auth.authmethod CHAP
        dbu discovery.sendtargets.auth.username "$VM_DISC_USER"
        dbu discovery.sendtargets.auth.password "$VM_DISC_PASS"
        iscsiadm -m discoverydb -t sendtargets -p "$PORTAL" --discover -o nonpersistent >/tmp/disc 2>&1 || {
            cat /tmp/disc; fail "SendTargets discovery with discovery CHAP"; }
    else
        iscsiadm -m discovery -t sendtargets -p "$PORTAL" -o nonpersistent >/tmp/disc 2>&1 || {
            cat /tmp/disc; fail "SendTargets discovery"; }
    fi
    sed 's/^/VM: discovered /' /tmp/disc
    grep -q " $VM_IQN\$" /tmp/disc || fail "discovery did not list $VM_IQN"
    iscsiadm -m node -o new -T "$VM_IQN" -p "$PORTAL,1" >/dev/null || fail "node record"
    set_node 'node.conn[0].tcp.window_size' 4194304
}

DISK= SESSION=
login() {
    t=$(up)
    node --login >/tmp/login 2>&1 || { rc=$?; cat /tmp/login; fail "login (rc=$rc)"; }
    i=0
    while [ $i -lt 300 ]; do
        for b in /sys/class/iscsi_session/session*/device/target*/*:*:*:0/block/*; do
            [ -b "/dev/${b##*/}" ] || continue
            DISK=/dev/${b##*/}
            SESSION=${b#/sys/class/iscsi_session/}; SESSION=/sys/class/iscsi_session/${SESSION%%/*}
            say "login: $DISK $(($(cat /sys/block/${b##*/}/size) / 2048)) MiB after $(awk -v a=$t -v b=$(up) 'BEGIN{print b-a}')s"
            return 0
        done
        sleep 0.1; i=$((i + 1))
    done
    fail "no disk 30 s after login"
}
logout() {
    old=$DISK
    node --logout >/dev/null || fail "logout"
    i=0; while [ -b "$old" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ ! -b "$old" ] || fail "$old still there after logout"
    say "logout: $old gone"
}
state() { cat "$SESSION/state" 2>/dev/null || echo GONE; }

# ---- file system helpers (on partition 1, or on the whole disk when WHOLE=1)
WHOLE=0
fsdev() { if [ $WHOLE = 1 ]; then echo "$DISK"; else echo "${DISK}1"; fi; }
mkfs() {
    echo 'label: dos
start=2048, type=83' | sfdisk -q "$DISK" >/tmp/sfdisk 2>&1 || { cat /tmp/sfdisk; fail "sfdisk"; }
    i=0; while [ ! -b "${DISK}1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -b "${DISK}1" ] || fail "no ${DISK}1"
    # nodiscard: mkfs must not trim the whole partition, so the discard scenario starts from data
    mkfs.ext4 -F -q -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 "${DISK}1" || fail "mkfs.ext4"
    say "partitioned and formatted ${DISK}1"
}
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
fsck_clean() {  # $1 label
    drop_caches
    e2fsck -f -n "$(fsdev)" >/tmp/fsck 2>&1 || { sed 's/^/VM-FSCK: /' /tmp/fsck; fail "e2fsck $1 (rc=$?)"; }
    say "e2fsck $1: clean, $(tail -n 1 /tmp/fsck)"
}
verify() {  # $1 label, $2 manifest (paths relative to /mnt): fsck, mount ro, every checksum
    fsck_clean "$1"
    mount -o ro "$(fsdev)" /mnt || fail "mount ro $1"
    (cd /mnt && sha256sum -c "$2") >/tmp/check 2>&1 || {
        grep -v ': OK$' /tmp/check | head -n 20 | sed 's/^/VM-VERIFY: /'; umount /mnt; fail "checksums $1"; }
    umount /mnt || fail "umount $1"
    n=$(grep -c ': OK$' /tmp/check)
    [ "$n" = "$(wc -l <"$2")" ] || fail "verified $n of $(wc -l <"$2") files ($1)"
    info "verified_$1" "$n"
    say "verify $1: $n files OK"
}
make_files() {  # $1 MiB in 24 MiB files + small ones, under /tmp/src/data; manifest /tmp/manifest
    mkdir -p /tmp/src/data/small /tmp/src/data/deep/a/b/c/d
    left=$1 k=1
    while [ "$left" -gt 0 ]; do
        n=$((left < 24 ? left : 24))
        dd if=/dev/urandom of=/tmp/src/data/big$k bs=1M count=$n 2>/dev/null || fail "generate"
        left=$((left - n)); k=$((k + 1))
    done
    i=1; while [ $i -le 40 ]; do head -c $(( (i * 7919) % 65536 + 1 )) /dev/urandom >/tmp/src/data/small/f$i; i=$((i + 1)); done
    : >/tmp/src/data/empty
    head -c 4096 /dev/urandom >/tmp/src/data/deep/a/b/c/d/exact4k
    (cd /tmp/src && find data -type f | sort | xargs sha256sum) >/tmp/manifest
}
write_files() {  # mount, copy /tmp/src/data, sync, umount
    mount "$(fsdev)" /mnt || fail "mount"
    t=$(up)
    cp -a /tmp/src/data /mnt/ || fail "copy"
    sync || fail "sync"
    umount /mnt || fail "umount"
    say "wrote $(du -sm /tmp/src/data | cut -f1) MiB + sync + umount in $(awk -v a=$t -v b=$(up) 'BEGIN{print b-a}')s"
}

# Writer under /mnt/load: a new 1 MiB file, sync, and only then is it "acknowledged" (its sum
# listed in /tmp/acked).
start_writer() {
    mkdir -p /mnt/load
    : >/tmp/acked
    rm -f /tmp/stop
    (
        i=1
        while [ ! -e /tmp/stop ]; do
            dd if=/dev/urandom of=/tmp/w bs=256k count=4 2>/dev/null
            cp /tmp/w /mnt/load/f$i && sync || { echo "VM: writer: write f$i failed"; exit 1; }
            echo "$(sha256sum </tmp/w | cut -c1-64)  load/f$i" >>/tmp/acked
            i=$((i + 1))
        done
    ) &
    writer=$!
}
acked() { wc -l </tmp/acked; }
await_acked() {  # $1 files, $2 tenths of a second at most; false if not reached
    i=0; while [ "$(acked)" -lt "$1" ] && [ $i -lt "$2" ]; do
        kill -0 $writer 2>/dev/null || break; sleep 0.1; i=$((i + 1)); done
    [ "$(acked)" -ge "$1" ]
}
stop_writer() { touch /tmp/stop; wait $writer || fail "writer failed"; }

# ---- scenarios
basic() {
    discover; login; mkfs
    make_files "$VM_MB"; info files "$(wc -l </tmp/manifest)"
    write_files
    verify same-session /tmp/manifest
    logout; login                       # what the target stored, not the guest's cache
    verify after-relogin /tmp/manifest
    logout
}

chap() {
    discover
    set_node node.session.auth.authmethod CHAP
    set_node node.session.auth.username "$VM_CHAP_USER"
    if [ -n "$VM_CHAP_BAD_PASS" ]; then
        set_node node.session.auth.password "$VM_CHAP_BAD_PASS"
        set_node node.session.initial_login_retry_max 1
        node --login >/tmp/login 2>&1; rc=$?
        sed 's/^/VM: bad secret: /' /tmp/login
        info bad_login_rc "$rc"
        [ $rc != 0 ] || fail "login with a wrong CHAP secret succeeded"
        [ -z "$(ls /sys/class/iscsi_session/ 2>/dev/null)" ] || fail "a session exists after the refused login"
    fi
    set_node node.session.auth.password "$VM_CHAP_PASS"
    if [ -n "$VM_CHAP_USER_IN" ]; then
        set_node node.session.auth.username_in "$VM_CHAP_USER_IN"
        set_node node.session.auth.password_in "$VM_CHAP_PASS_IN"
    fi
    login; mkfs; make_files "$VM_MB"; write_files
    verify same-session /tmp/manifest
    logout; login
    verify after-relogin /tmp/manifest
    logout
}

discard() {
    discover; login; mkfs
    dev=${DISK#/dev/}
    max=$(cat /sys/block/$dev/queue/discard_max_bytes)
    info discard_max_bytes "$max"
    info provisioning_mode "$(cat /sys/block/$dev/device/scsi_disk/*/provisioning_mode 2>/dev/null)"
    # The LUN reports logical block provisioning: a kernel without discard on it is a failure.
    [ "$max" -gt 0 ] || fail "the kernel sees no discard support (discard_max_bytes=0)"
    mount "${DISK}1" /mnt || fail "mount"
    dd if=/dev/urandom of=/mnt/keep bs=1M count=8 2>/dev/null || fail "write keep"
    dd if=/dev/urandom of=/mnt/victim bs=1M count=64 conv=fsync 2>/dev/null || fail "write victim"
    (cd /mnt && sha256sum keep) >/tmp/keep.sum
    drop_caches
    echo "VM-EVENT: measure written"; sleep 3
    rm /mnt/victim; sync
    t=$(up)
    fstrim -v /mnt >/tmp/fstrim 2>&1; rc=$?
    sed 's/^/VM: fstrim: /' /tmp/fstrim
    info fstrim_rc "$rc"
    info fstrim_output "$(head -n 1 /tmp/fstrim)"
    drop_caches
    say "fstrim took $(awk -v a=$t -v b=$(up) 'BEGIN{print b-a}')s"
    echo "VM-EVENT: measure trimmed"; sleep 3
    umount /mnt || fail "umount"
    [ $rc = 0 ] || fail "fstrim failed on a LUN that supports discard"
    verify after-trim /tmp/keep.sum
    logout
}

restart() {
    discover; login; mkfs
    mount "${DISK}1" /mnt || fail "mount"
    start_writer
    await_acked 5 300 || fail "writer too slow before the restart"
    say "$(wc -l </tmp/acked) files acknowledged; asking the host to restart the target"
    echo "VM-EVENT: restart-target"
    # wait until the session drops (or the iscsid log shows a recovery), then until it is back
    t=$(up) i=0
    while [ "$(state)" = LOGGED_IN ] && ! grep -q 'operational after recovery' /run/iscsid.log && [ $i -lt 600 ]; do
        sleep 0.1; i=$((i + 1))
    done
    say "session state $(state) after $(awk -v a=$t -v b=$(up) 'BEGIN{print b-a}')s; acked $(wc -l </tmp/acked)"
    i=0; while [ "$(state)" != LOGGED_IN ] && [ $i -lt 1500 ]; do sleep 0.1; i=$((i + 1)); done
    [ "$(state)" = LOGGED_IN ] || fail "session not back 150 s after the restart (state $(state))"
    back=$(wc -l </tmp/acked)
    info recovered_after_s "$(awk -v a=$t -v b=$(up) 'BEGIN{print b-a}')"
    await_acked $((back + 10)) 600
    stop_writer
    n=$(wc -l </tmp/acked)
    [ $n -ge $((back + 10)) ] || fail "I/O did not resume: $back acked at recovery, $n at the end"
    info acked_at_recovery "$back"
    info acked "$n"
    grep 'operational after recovery' /run/iscsid.log | tail -n 1 | sed 's/^/VM: iscsid: /'
    info iscsid_recoveries "$(grep -c 'operational after recovery' /run/iscsid.log)"
    umount /mnt || fail "umount"
    verify after-restart /tmp/acked
    logout; login
    verify after-relogin /tmp/acked
    logout
}

# Online growth: ext4 on the whole disk (no partition to move), files, the host grows the LUN,
# the rescan shows the new size, resize2fs grows the mounted file system, more files than the
# old disk could hold, then fsck and every checksum.
resize() {
    discover; login
    WHOLE=1
    dev=${DISK#/dev/}
    mkfs.ext4 -F -q -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 "$DISK" || fail "mkfs.ext4"
    ln -sf /proc/mounts /etc/mtab
    make_files "$VM_MB"
    mount "$DISK" /mnt || fail "mount"
    cp -a /tmp/src/data /mnt/ && sync || fail "write before growing"
    before=$(cat /sys/block/$dev/size)
    info sectors_before "$before"
    info fs_kib_before "$(df -k /mnt | awk 'NR == 2 {print $2}')"
    say "$(du -sm /tmp/src/data | cut -f1) MiB on a $((before / 2048)) MiB disk; asking the host to grow the LUN to $VM_GROW_MB MiB"
    echo "VM-EVENT: grow-lun"
    # The host answers by growing the LUN; until then a rescan finds the old size.
    t=$(up) rescans=0
    while [ "$(cat /sys/block/$dev/size)" = "$before" ] && [ $rescans -lt 120 ]; do
        iscsiadm -m session --rescan >/tmp/rescan 2>&1 || { cat /tmp/rescan; fail "iscsiadm -m session --rescan"; }
        rescans=$((rescans + 1))
        [ "$(cat /sys/block/$dev/size)" = "$before" ] && sleep 0.5
    done
    after=$(cat /sys/block/$dev/size)
    info sectors_after "$after"
    info rescans "$rescans"
    say "size $((after / 2048)) MiB after $rescans rescans, $(awk -v a=$t -v b=$(up) 'BEGIN{print b-a}')s"
    [ "$after" = $((VM_GROW_MB * 2048)) ] || fail "after the rescan /sys/block/$dev/size is $after, expected $((VM_GROW_MB * 2048))"
    info capacity_ua "$(dmesg | grep -c 'Capacity data has changed')"
    dmesg | grep -E 'Capacity data has changed|capacity change' | tail -n 3 | sed 's/^/VM: kernel: /'
    resize2fs "$DISK" >/tmp/resize2fs 2>&1 || { cat /tmp/resize2fs; fail "resize2fs (rc=$?)"; }
    sed 's/^/VM: resize2fs: /' /tmp/resize2fs
    df -k /mnt | sed 's/^/VM: df: /'
    info fs_kib_after "$(df -k /mnt | awk 'NR == 2 {print $2}')"
    mkdir -p /tmp/src/more /mnt/more
    left=$VM_MORE_MB k=1
    while [ "$left" -gt 0 ]; do
        n=$((left < 16 ? left : 16))
        dd if=/dev/urandom of=/tmp/src/more/m$k bs=1M count=$n 2>/dev/null || fail "generate"
        cp /tmp/src/more/m$k /mnt/more/ || fail "write more/m$k after growing"
        left=$((left - n)); k=$((k + 1))
    done
    sync || fail "sync"
    (cd /tmp/src && sha256sum more/*) >>/tmp/manifest
    df -k /mnt | sed 's/^/VM: df: /'
    umount /mnt || fail "umount"
    info files "$(wc -l </tmp/manifest)"
    verify after-grow /tmp/manifest
    logout
}

# dm-multipath over two portals: a session through each (the second through a relay the host
# can cut), one multipath device over both disks, ext4 on it under a writer; the host cuts
# path B and the writes go on through path A. The multipath table is the one multipathd would
# load (one priority group, round-robin over both paths), loaded with dmsetup: multipath-tools
# (multipathd, its path checkers and path reinstatement) is not in the image.
multipath() {
    discover
    PORTAL_B=$HOST:$VM_PORT_B
    iscsiadm -m node -o new -T "$VM_IQN" -p "$PORTAL_B,1" >/dev/null || fail "node record $PORTAL_B"
    for p in "$PORTAL" "$PORTAL_B"; do
        # a dead path must fail its I/O within seconds (not 120 s) for dm-multipath to retry it
        for kv in 'node.conn[0].tcp.window_size 4194304' 'node.session.timeo.replacement_timeout 5'; do
            iscsiadm -m node -T "$VM_IQN" -p "$p" -o update -n ${kv% *} -v ${kv#* } >/dev/null || fail "update $p $kv"
        done
    done
    login
    A=$DISK
    iscsiadm -m node -T "$VM_IQN" -p "$PORTAL_B" --login >/tmp/login 2>&1 || { cat /tmp/login; fail "login $PORTAL_B"; }
    B= i=0
    while [ -z "$B" ] && [ $i -lt 300 ]; do
        for b in /sys/class/iscsi_session/session*/device/target*/*:*:*:0/block/*; do
            [ -b "/dev/${b##*/}" ] && [ "/dev/${b##*/}" != "$A" ] && B=/dev/${b##*/}
        done
        [ -n "$B" ] || { sleep 0.1; i=$((i + 1)); }
    done
    [ -n "$B" ] || fail "no second disk after the login through $PORTAL_B"
    a=${A#/dev/} b=${B#/dev/}
    say "path A $A, path B $B"
    [ "$(cat /sys/block/$a/device/wwid)" = "$(cat /sys/block/$b/device/wwid)" ] ||
        fail "the paths differ: $(cat /sys/block/$a/device/wwid) / $(cat /sys/block/$b/device/wwid)"
    info wwid "$(cat /sys/block/$a/device/wwid)"
    ma=$(cat /sys/block/$a/dev) mb=$(cat /sys/block/$b/dev)
    dmsetup --noudevsync create mpatha \
        --table "0 $(cat /sys/block/$a/size) multipath 0 0 1 1 round-robin 0 2 1 $ma 16 $mb 16" || fail "dmsetup create"
    dm=$(ls -d /sys/block/dm-* 2>/dev/null | head -n 1)
    [ -n "$dm" ] && [ -b "/dev/${dm##*/}" ] || fail "no dm device after dmsetup create"
    DISK=/dev/${dm##*/} WHOLE=1
    paths() { dmsetup status mpatha | awk -v a=$ma -v b=$mb '{for (i = 1; i < NF; i++) {
        if ($i == a) printf "A=%s ", $(i + 1); if ($i == b) printf "B=%s ", $(i + 1) }}'; }
    say "$DISK over $ma and $mb: $(paths)"
    [ "$(paths)" = "A=A B=A " ] || fail "both paths should be active: $(dmsetup status mpatha)"
    mkfs.ext4 -F -q -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 "$DISK" || fail "mkfs.ext4"
    mount "$DISK" /mnt || fail "mount"
    writes() { awk '{print $5}' /sys/block/$1/stat; }
    wa=$(writes $a) wb=$(writes $b)
    start_writer
    await_acked 5 300 || fail "writer too slow before the cut"
    info writes_a "$(($(writes $a) - wa))"
    info writes_b "$(($(writes $b) - wb))"
    cut=$(acked)
    say "$cut files acknowledged; asking the host to cut path B"
    echo "VM-EVENT: cut-path-b"
    t=$(up) i=0
    while [ "$(paths)" != "A=A B=F " ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    [ "$(paths)" = "A=A B=F " ] || fail "path B not failed 60 s after the cut: $(dmsetup status mpatha)"
    info path_b_failed_after_s "$(awk -v a=$t -v b=$(up) 'BEGIN{print b-a}')"
    failed=$(acked)
    await_acked $((failed + 10)) 600 || fail "I/O did not go on through path A: $failed acked at the failover, $(acked) now"
    stop_writer
    info acked_at_cut "$cut"
    info acked_at_failover "$failed"
    info acked "$(acked)"
    info session_b "$(cat /sys/class/iscsi_session/*/state | tr '\n' ' ')"
    say "$(acked) files acknowledged; $DISK: $(paths)"
    umount /mnt || fail "umount"
    verify after-failover /tmp/acked
    dmsetup --noudevsync remove mpatha || fail "dmsetup remove"
}

mark work_start
case "$VM_SCENARIO" in
basic|chap|discard|restart|resize|multipath) $VM_SCENARIO ;;
*) fail "unknown scenario $VM_SCENARIO" ;;
esac
mark work_end
kernel_notes
echo "VM-RESULT: PASS"
bye
