#1776646942
tail -n 50 /var/log/syslog
#1776647055
ls -la /srv
#1776653876
df -h
#1776653896
ls -la /srv
#1776668792
tail -n 50 /var/log/syslog
#1776668891
uptime
#1776680181
systemctl status app
#1776680199
free -m
#1776707015
ls -la /srv
#1776707080
uptime
#1776727901
df -h
#1776727970
journalctl -u nginx --since today
#1776737749
ls -la /srv
#1776737826
journalctl -u nginx --since today
#1776766197
ls -la /srv
#1776766212
tail -n 50 /var/log/syslog
#1776769836
journalctl -u nginx --since today
#1776769872
ls -la /srv
#1776791646
df -h
#1776791661
systemctl status app
#1776805505
journalctl -u nginx --since today
#1776805553
tail -n 50 /var/log/syslog
#1776805856
free -m
#1776805976
tail -n 50 /var/log/syslog
#1776825221
free -m
#1776825258
journalctl -u nginx --since today
#1776835918
df -h
#1776836020
free -m
#1776837458
ls -la /srv
#1776837476
df -h
#1776844379
journalctl -u nginx --since today
#1776844419
free -m
#1776854949
df -h
#1776854959
journalctl -u nginx --since today
#1776856819
ls -la /srv
#1776856859
free -m
#1776857721
df -h
#1776857801
tail -n 50 /var/log/syslog
#1776866915
df -h
#1776866951
ls -la /srv
#1776882118
tail -n 50 /var/log/syslog
#1776882146
df -h
#1776886621
df -h
#1776886729
uptime
#1776894591
ls -la /srv
#1776894598
systemctl status app
#1776899326
journalctl -u nginx --since today
#1776899354
ls -la /srv
