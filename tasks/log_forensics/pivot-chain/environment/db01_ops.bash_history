#1776561449
journalctl -u nginx --since today
#1776561567
free -m
#1776568658
systemctl status app
#1776568687
uptime
#1776575020
df -h
#1776575066
uptime
#1776581832
tail -n 50 /var/log/syslog
#1776581941
free -m
#1776637966
uptime
#1776638022
systemctl status app
#1776649139
tail -n 50 /var/log/syslog
#1776649222
ls -la /srv
#1776650292
df -h
#1776650311
systemctl status app
#1776655606
df -h
#1776655613
free -m
#1776659067
uptime
#1776659085
journalctl -u nginx --since today
#1776663217
journalctl -u nginx --since today
#1776663308
systemctl status app
#1776693013
systemctl status app
#1776693026
df -h
#1776711147
tail -n 50 /var/log/syslog
#1776711205
ls -la /srv
#1776750695
ls -la /srv
#1776750766
journalctl -u nginx --since today
#1776752447
uptime
#1776752456
tail -n 50 /var/log/syslog
#1776759748
tail -n 50 /var/log/syslog
#1776759792
df -h
#1776772454
tail -n 50 /var/log/syslog
#1776772537
df -h
#1776773858
journalctl -u nginx --since today
#1776773972
tail -n 50 /var/log/syslog
#1776794923
systemctl status app
#1776794964
journalctl -u nginx --since today
#1776795350
free -m
#1776795443
uptime
#1776805282
tail -n 50 /var/log/syslog
#1776805337
systemctl status app
#1776808801
uptime
#1776808906
free -m
#1776809097
free -m
#1776809122
systemctl status app
#1776811989
journalctl -u nginx --since today
#1776812095
free -m
#1776812131
free -m
#1776812203
journalctl -u nginx --since today
#1776836967
df -h
#1776837005
journalctl -u nginx --since today
#1776862349
free -m
#1776862363
ls -la /srv
#1776877823
journalctl -u nginx --since today
#1776877875
ls -la /srv
#1776898125
journalctl -u nginx --since today
#1776898187
ls -la /srv
