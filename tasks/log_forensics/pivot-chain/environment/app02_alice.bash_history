#1776563663
systemctl status app
#1776563703
tail -n 50 /var/log/syslog
#1776585999
uptime
#1776586057
ls -la /srv
#1776619032
ls -la /srv
#1776619137
uptime
#1776624589
df -h
#1776624702
tail -n 50 /var/log/syslog
#1776628076
ls -la /srv
#1776628118
tail -n 50 /var/log/syslog
#1776632009
journalctl -u nginx --since today
#1776632096
free -m
#1776646421
df -h
#1776646501
free -m
#1776661685
journalctl -u nginx --since today
#1776661802
ls -la /srv
#1776674241
tail -n 50 /var/log/syslog
#1776674273
journalctl -u nginx --since today
#1776675086
journalctl -u nginx --since today
#1776675180
df -h
#1776677559
systemctl status app
#1776677662
journalctl -u nginx --since today
#1776736904
tail -n 50 /var/log/syslog
#1776736915
free -m
#1776748641
free -m
#1776748697
journalctl -u nginx --since today
#1776771378
uptime
#1776771496
systemctl status app
#1776787670
systemctl status app
#1776787702
ls -la /srv
#1776899171
ls -la /srv
#1776899242
tail -n 50 /var/log/syslog
