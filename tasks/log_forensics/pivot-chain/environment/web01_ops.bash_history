#1776575734
systemctl status app
#1776575843
ls -la /srv
#1776604188
uptime
#1776604253
free -m
#1776606496
systemctl status app
#1776606547
free -m
#1776625042
df -h
#1776625146
uptime
#1776625803
journalctl -u nginx --since today
#1776625901
ls -la /srv
#1776641470
free -m
#1776641487
systemctl status app
#1776661796
free -m
#1776661892
journalctl -u nginx --since today
#1776661949
free -m
#1776662034
df -h
#1776670687
uptime
#1776670694
systemctl status app
#1776690774
systemctl status app
#1776690812
ls -la /srv
#1776707793
tail -n 50 /var/log/syslog
#1776707908
journalctl -u nginx --since today
#1776708326
ls -la /srv
#1776708420
free -m
#1776720223
df -h
#1776720342
uptime
#1776789615
systemctl status app
#1776789734
journalctl -u nginx --since today
#1776792118
uptime
#1776792216
df -h
#1776798585
tail -n 50 /var/log/syslog
#1776798607
df -h
#1776840558
uptime
#1776840585
free -m
#1776849275
systemctl status app
#1776849316
tail -n 50 /var/log/syslog
#1776875593
df -h
#1776875643
systemctl status app
