#1776564876
df -h
#1776564906
free -m
#1776583621
uptime
#1776583691
ls -la /srv
#1776596720
uptime
#1776596749
systemctl status app
#1776625954
free -m
#1776625980
tail -n 50 /var/log/syslog
#1776634603
systemctl status app
#1776634714
free -m
#1776671068
systemctl status app
#1776671163
ls -la /srv
#1776671832
ls -la /srv
#1776671853
free -m
#1776684294
tail -n 50 /var/log/syslog
#1776684351
systemctl status app
#1776712090
uptime
#1776712126
journalctl -u nginx --since today
#1776750426
free -m
#1776750537
systemctl status app
#1776767817
uptime
#1776767866
tail -n 50 /var/log/syslog
#1776774056
free -m
#1776774136
df -h
#1776785678
free -m
#1776785751
systemctl status app
#1776810857
journalctl -u nginx --since today
#1776810911
free -m
#1776849341
uptime
#1776849349
journalctl -u nginx --since today
#1776850417
df -h
#1776850422
systemctl status app
#1776892527
uptime
#1776892532
tail -n 50 /var/log/syslog
