#1776571721
uptime
#1776571831
tail -n 50 /var/log/syslog
#1776576603
systemctl status app
#1776576663
journalctl -u nginx --since today
#1776589206
tail -n 50 /var/log/syslog
#1776589224
uptime
#1776600170
free -m
#1776600218
systemctl status app
#1776628271
tail -n 50 /var/log/syslog
#1776628387
systemctl status app
#1776628515
tail -n 50 /var/log/syslog
#1776628565
uptime
#1776681146
free -m
#1776681264
journalctl -u nginx --since today
#1776702714
free -m
#1776702834
uptime
#1776709637
free -m
#1776709643
tail -n 50 /var/log/syslog
#1776723997
uptime
#1776724093
tail -n 50 /var/log/syslog
#1776726253
journalctl -u nginx --since today
#1776726285
df -h
#1776726445
uptime
#1776726480
journalctl -u nginx --since today
#1776736759
df -h
#1776736851
tail -n 50 /var/log/syslog
#1776740264
uptime
#1776740367
df -h
#1776750709
df -h
#1776750754
uptime
#1776774306
df -h
#1776774402
systemctl status app
#1776816237
ls -la /srv
#1776816323
journalctl -u nginx --since today
#1776830077
free -m
#1776830170
tail -n 50 /var/log/syslog
#1776834412
journalctl -u nginx --since today
#1776834422
df -h
#1776849709
df -h
#1776849786
systemctl status app
#1776852078
tail -n 50 /var/log/syslog
#1776852090
df -h
#1776883876
df -h
#1776883967
tail -n 50 /var/log/syslog
