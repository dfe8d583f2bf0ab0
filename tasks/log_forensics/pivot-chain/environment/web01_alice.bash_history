#1776638898
df -h
#1776638988
systemctl status app
#1776657937
ls -la /srv
#1776657951
journalctl -u nginx --since today
#1776677981
free -m
#1776677999
df -h
#1776680845
tail -n 50 /var/log/syslog
#1776680869
journalctl -u nginx --since today
#1776712682
tail -n 50 /var/log/syslog
#1776712797
free -m
#1776786464
df -h
#1776786579
systemctl status app
#1776801246
df -h
#1776801280
uptime
#1776804329
ls -la /srv
#1776804393
df -h
#1776813055
df -h
#1776813116
free -m
#1776814324
uptime
#1776814388
free -m
#1776830796
df -h
#1776830855
tail -n 50 /var/log/syslog
#1776849020
tail -n 50 /var/log/syslog
#1776849056
journalctl -u nginx --since today
#1776863302
uptime
#1776863364
ls -la /srv
#1776866864
journalctl -u nginx --since today
#1776866969
uptime
#1776894935
systemctl status app
#1776895039
df -h
